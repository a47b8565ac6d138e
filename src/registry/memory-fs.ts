/**
 * A Map-based file system implementing the promises API isomorphic-git needs, for registries read
 * without a disk (Workers). Only regular files, directories and symbolic links; no permissions.
 */
import { utf8 } from '../bytes.js';
import type { RandomAccessFile } from './storage.js';

interface Entry {
  type: 'file' | 'dir' | 'symlink';
  data: Uint8Array;
  /** Appended pieces after `data`, joined only when the whole file is read. */
  appended?: Uint8Array[];
  target: string;
  mtimeMs: number;
  mode: number;
}

function fsError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

function normalise(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

function lengthOf(entry: Entry): number {
  let total = entry.data.length;
  for (const part of entry.appended ?? []) total += part.length;
  return total;
}

/** The file's bytes as one array (its appended pieces joined once). */
function joined(entry: Entry): Uint8Array {
  if (entry.appended) {
    const data = new Uint8Array(lengthOf(entry));
    let at = 0;
    for (const part of [entry.data, ...entry.appended]) {
      data.set(part, at);
      at += part.length;
    }
    entry.data = data;
    entry.appended = undefined;
  }
  return entry.data;
}

export class MemoryFs {
  private readonly entries = new Map<string, Entry>([['/', this.entry('dir')]]);
  private inode = 1;

  /** isomorphic-git looks for `fs.promises`. */
  readonly promises = {
    readFile: (path: string, options?: { encoding?: string } | string) => this.readFile(path, options),
    writeFile: (path: string, data: Uint8Array | string) => this.writeFile(path, data),
    appendFile: (path: string, data: Uint8Array) => this.appendFile(path, data),
    unlink: (path: string) => this.unlink(path),
    readdir: (path: string) => this.readdir(path),
    mkdir: (path: string) => this.mkdir(path),
    rmdir: (path: string) => this.rmdir(path),
    stat: (path: string) => this.stat(path, true),
    lstat: (path: string) => this.stat(path, false),
    readlink: (path: string) => this.readlink(path),
    symlink: (target: string, path: string) => this.symlink(target, path),
    rename: (from: string, to: string) => this.rename(from, to),
    chmod: async (path: string) => {
      this.get(path, 'chmod');
    },
  };

  /** Bytes held in file contents (for size limits and tests). */
  get size(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += lengthOf(entry);
    return total;
  }

  /** Reads by range without copying the file (views of its current contents). */
  async openFile(path: string): Promise<RandomAccessFile> {
    const found = this.get(path, 'open');
    if (found.type !== 'file') throw fsError('EISDIR', 'open', path);
    const parts = [found.data, ...(found.appended ?? [])];
    const starts = [0];
    for (const part of parts) starts.push(starts.at(-1)! + part.length);
    const size = starts.at(-1)!;
    return {
      size,
      async read(offset, length) {
        const end = Math.min(size, offset + length);
        let index = 0;
        while (index < parts.length - 1 && starts[index + 1]! <= offset) index++;
        const part = parts[index]!;
        // Within one piece: a view. Across pieces (a read spanning an append): a copy.
        if (end <= starts[index + 1]!) return part.subarray(offset - starts[index]!, end - starts[index]!);
        const out = new Uint8Array(Math.max(0, end - offset));
        for (let at = offset; at < end; index++) {
          const piece = parts[index]!.subarray(at - starts[index]!, Math.min(end, starts[index + 1]!) - starts[index]!);
          out.set(piece, at - offset);
          at += piece.length;
        }
        return out;
      },
      close: async () => undefined,
    };
  }

  private entry(type: Entry['type'], data = new Uint8Array(0), target = ''): Entry {
    return {
      type,
      data,
      target,
      mtimeMs: Date.now(),
      mode: type === 'dir' ? 0o40755 : type === 'symlink' ? 0o120000 : 0o100644,
    };
  }

  private get(path: string, syscall: string, follow = true): Entry {
    let key = normalise(path);
    for (let hops = 0; hops < 40; hops++) {
      const found = this.entries.get(key);
      if (!found) throw fsError(this.entries.has(parentOf(key)) ? 'ENOENT' : 'ENOENT', syscall, path);
      if (!follow || found.type !== 'symlink') return found;
      key = normalise(found.target.startsWith('/') ? found.target : `${parentOf(key)}/${found.target}`);
    }
    throw fsError('ELOOP', syscall, path);
  }

  private requireParent(key: string, syscall: string, path: string): void {
    const parent = this.entries.get(parentOf(key));
    if (!parent) throw fsError('ENOENT', syscall, path);
    if (parent.type !== 'dir') throw fsError('ENOTDIR', syscall, path);
  }

  private async readFile(path: string, options?: { encoding?: string } | string): Promise<Uint8Array | string> {
    const found = this.get(path, 'open');
    if (found.type === 'dir') throw fsError('EISDIR', 'read', path);
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const data = joined(found);
    return encoding ? new TextDecoder().decode(data) : data.slice();
  }

  private async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    const key = normalise(path);
    this.requireParent(key, 'open', path);
    if (this.entries.get(key)?.type === 'dir') throw fsError('EISDIR', 'open', path);
    const bytes = typeof data === 'string' ? utf8(data) : new Uint8Array(data);
    this.entries.set(key, this.entry('file', bytes));
  }

  /**
   * Keeps a copy of `data` as one more piece of the file (joined when the whole file is read), so a
   * pack streamed in is held once, in its batches, without a growing buffer copied along the way.
   */
  private async appendFile(path: string, data: Uint8Array): Promise<void> {
    const found = this.entries.get(normalise(path));
    if (!found) return this.writeFile(path, data);
    if (found.type !== 'file') throw fsError('EISDIR', 'open', path);
    found.appended ??= [];
    found.appended.push(data.slice());
    found.mtimeMs = Date.now();
  }

  private async unlink(path: string): Promise<void> {
    const key = normalise(path);
    const found = this.get(key, 'unlink', false);
    if (found.type === 'dir') throw fsError('EISDIR', 'unlink', path);
    this.entries.delete(key);
  }

  private async readdir(path: string): Promise<string[]> {
    const found = this.get(path, 'scandir');
    if (found.type !== 'dir') throw fsError('ENOTDIR', 'scandir', path);
    const key = normalise(path);
    const prefix = key === '/' ? '/' : `${key}/`;
    const names: string[] = [];
    for (const candidate of this.entries.keys()) {
      if (candidate !== '/' && candidate.startsWith(prefix) && !candidate.slice(prefix.length).includes('/')) {
        names.push(candidate.slice(prefix.length));
      }
    }
    return names;
  }

  private async mkdir(path: string): Promise<void> {
    const key = normalise(path);
    if (this.entries.has(key)) throw fsError('EEXIST', 'mkdir', path);
    this.requireParent(key, 'mkdir', path);
    this.entries.set(key, this.entry('dir'));
  }

  private async rmdir(path: string): Promise<void> {
    const key = normalise(path);
    const found = this.get(key, 'rmdir', false);
    if (found.type !== 'dir') throw fsError('ENOTDIR', 'rmdir', path);
    if ((await this.readdir(key)).length > 0) throw fsError('ENOTEMPTY', 'rmdir', path);
    this.entries.delete(key);
  }

  private async stat(path: string, follow: boolean) {
    const found = this.get(path, follow ? 'stat' : 'lstat', follow);
    const ino = this.inode++;
    return {
      type: found.type,
      mode: found.mode,
      size: found.type === 'symlink' ? found.target.length : lengthOf(found),
      ino,
      mtimeMs: found.mtimeMs,
      ctimeMs: found.mtimeMs,
      uid: 1,
      gid: 1,
      dev: 1,
      isFile: () => found.type === 'file',
      isDirectory: () => found.type === 'dir',
      isSymbolicLink: () => found.type === 'symlink',
    };
  }

  /** Files and symbolic links only (directories are not renamed by isomorphic-git). */
  private async rename(from: string, to: string): Promise<void> {
    const source = normalise(from);
    const target = normalise(to);
    const found = this.get(source, 'rename', false);
    if (found.type === 'dir') throw fsError('EISDIR', 'rename', from);
    this.requireParent(target, 'rename', to);
    this.entries.delete(source);
    this.entries.set(target, found);
  }

  private async readlink(path: string): Promise<string> {
    const found = this.get(path, 'readlink', false);
    if (found.type !== 'symlink') throw fsError('EINVAL', 'readlink', path);
    return found.target;
  }

  private async symlink(target: string, path: string): Promise<void> {
    const key = normalise(path);
    if (this.entries.has(key)) throw fsError('EEXIST', 'symlink', path);
    this.requireParent(key, 'symlink', path);
    this.entries.set(key, this.entry('symlink', new Uint8Array(0), target));
  }
}
