/**
 * A minimal Language Server Protocol client for the real yaml-language-server over stdio: open a
 * document, collect its diagnostics, ask for hover. Every wait is bounded.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverBin = fileURLToPath(
  new URL('../../node_modules/yaml-language-server/bin/yaml-language-server', import.meta.url),
);

export interface Diagnostic {
  severity: number;
  message: string;
  range: { start: { line: number; character: number } };
  source?: string;
}

type Message = { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };

export class YamlLanguageServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (message: Message) => void>();
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly diagnosticWaiters = new Map<string, () => void>();
  private version = 1;

  constructor(private readonly settings: Record<string, unknown>) {
    this.child = spawn(process.execPath, [serverBin, '--stdio'], { stdio: 'pipe' });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.resume();
  }

  async start(rootUri: string): Promise<void> {
    await this.request('initialize', {
      processId: process.pid,
      rootUri,
      capabilities: {
        textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: {} },
        workspace: { configuration: true },
      },
    });
    this.notify('initialized', {});
    this.notify('workspace/didChangeConfiguration', { settings: this.settings });
  }

  /** Opens a document and resolves with its diagnostics once they stop changing (bounded). */
  async diagnose(uri: string, text: string, timeoutMs = 15_000): Promise<Diagnostic[]> {
    this.diagnostics.delete(uri);
    const first = new Promise<void>((resolve) => this.diagnosticWaiters.set(uri, resolve));
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: this.version++, text } });
    await Promise.race([first, delay(timeoutMs)]);
    // A first report may come before the schema is applied; wait until reports are quiet.
    let last = this.diagnostics.get(uri);
    for (let i = 0; i < 20; i++) {
      await delay(100);
      const now = this.diagnostics.get(uri);
      if (now === last) break;
      last = now;
    }
    if (last === undefined) throw new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`);
    return last;
  }

  close(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** The hover text at a zero-based position, '' when there is none. */
  async hover(uri: string, line: number, character: number): Promise<string> {
    const result = (await this.request('textDocument/hover', {
      textDocument: { uri },
      position: { line, character },
    })) as {
      contents?: string | { value?: string } | { value?: string }[];
    } | null;
    const contents = result?.contents;
    if (contents === undefined) return '';
    if (typeof contents === 'string') return contents;
    if (Array.isArray(contents)) return contents.map((part) => part.value ?? '').join('\n');
    return contents.value ?? '';
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await Promise.race([this.request('shutdown', null), delay(2000)]);
      this.notify('exit', null);
    } catch {
      // The process may already be gone.
    }
    await Promise.race([exited, delay(2000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private request(method: string, params: unknown, timeoutMs = 15_000): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result);
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(JSON.parse(body) as Message);
    }
  }

  private handle(message: Message): void {
    if (message.method === undefined && message.id !== undefined) {
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = message.params as { uri: string; diagnostics: Diagnostic[] };
      this.diagnostics.set(uri, diagnostics);
      this.diagnosticWaiters.get(uri)?.();
      this.diagnosticWaiters.delete(uri);
      return;
    }
    if (message.id !== undefined && message.method === 'workspace/configuration') {
      const { items } = message.params as { items: { section?: string }[] };
      const answer = items.map((item) => (item.section ? (this.settings[item.section] ?? null) : this.settings));
      this.send({ jsonrpc: '2.0', id: message.id, result: answer });
      return;
    }
    if (message.id !== undefined) this.send({ jsonrpc: '2.0', id: message.id, result: null });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
