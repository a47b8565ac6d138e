/**
 * The README's demo loop: `serve --demo` also creates the `local` deployment repository; the curl
 * the banner prints proposes the demo application, approving merges it, and a Git client (as Flux
 * or Argo CD would) clones the result from /git/local.git with an API token.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoggedService, spawnService } from './support/service-process.js';

const run = promisify(execFile);

describe('serve --demo with the local deployment repository', () => {
  let dir: string | undefined;
  let service: LoggedService | undefined;

  afterAll(async () => {
    await service?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('proposes the demo application with the printed curl, approves it, and serves the result over Git', {
    timeout: 90_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'mb-demo-deploy-'));
    service = spawnService(['serve', '--demo'], { PORT: '0', MARGO_BRIDGE_DATA_DIR: join(dir, 'data') });
    const listening = await service.waitFor('margo-bridge listening');
    await service.waitFor('ingest done');
    const banner = service.stderr();
    // Every command the banner prints (6-space indented, `\` continues a line), run verbatim by a shell.
    const commands = banner
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter((line) => line.startsWith('      '))
      .map((line) => line.trim());
    expect(commands.map((command) => command.split(' ')[0])).toEqual([
      'export',
      'curl',
      'ANSWER=$(curl',
      'ID=$(echo',
      'curl',
      'git',
    ]);
    // A line break after each command's output keeps the answers apart (curl prints none).
    const script = [...commands, 'echo "ID=$ID"'].join('\necho; echo >&2\n');
    const { stdout } = await run('bash', ['-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
    });
    const id = /^ID=(\S+)$/m.exec(stdout)?.[1];
    const proposedAnswer = JSON.parse(stdout.split('\n').find((line) => line.startsWith('{"id"')) ?? '{}') as {
      id: string;
      state: string;
      name: string;
    };
    expect(proposedAnswer.state, stdout).toBe('proposed');
    expect(id).toBe(proposedAnswer.id);
    // The catalogue curl listed the demo application; the approve curl merged.
    expect(stdout).toContain('"id":"com-northstartida-hello-world"');
    expect(stdout).toContain('"state":"merged"');
    const written = await readFile(
      join(dir, 'local', 'demo-cluster', proposedAnswer.name, 'application-deployment.yaml'),
      'utf8',
    );
    expect(written).toContain(proposedAnswer.id);
    expect(written).toContain('Hi');

    // README's demo loop is the banner's, on the default port.
    const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const loop = /### The demo loop[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const readmeCommands = loop
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.replace(/\s+#.*$/, ''));
    expect(readmeCommands).toEqual(
      commands.slice(2).map((command) => command.replaceAll(new URL(listening.url as string).host, '127.0.0.1:8787')),
    );
    // Without a token the repository is not served (access: viewer, the default).
    const anonymous = await fetch(`${listening.url}/git/local.git/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(401);

    service.child.kill('SIGINT');
    expect(await service.exited).toBe(0);
  });
});
