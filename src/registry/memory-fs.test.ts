import { describe, expect, it } from 'vitest';
import { MemoryFs } from './memory-fs.js';

describe('MemoryFs', () => {
  it('implements the promises API isomorphic-git uses, with Node error codes', async () => {
    const fs = new MemoryFs();
    const p = fs.promises;
    await p.mkdir('/a');
    await p.writeFile('/a/f.txt', 'hello');
    expect(await p.readFile('/a/f.txt', 'utf8')).toBe('hello');
    expect(await p.readFile('/a/f.txt')).toEqual(new TextEncoder().encode('hello'));
    expect(await p.readdir('/a')).toEqual(['f.txt']);
    expect((await p.stat('/a/f.txt')).size).toBe(5);
    expect((await p.stat('/a')).isDirectory()).toBe(true);
    await p.symlink('f.txt', '/a/link');
    expect(await p.readlink('/a/link')).toBe('f.txt');
    expect((await p.lstat('/a/link')).isSymbolicLink()).toBe(true);
    expect(await p.readFile('/a/link', 'utf8')).toBe('hello');
    await expect(p.readFile('/a/missing')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(p.writeFile('/missing/f', 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(p.mkdir('/a')).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(p.rmdir('/a')).rejects.toMatchObject({ code: 'ENOTEMPTY' });
    await p.rename('/a/f.txt', '/a/g.txt');
    expect(await p.readdir('/a')).toEqual(['link', 'g.txt']);
    await expect(p.rename('/a/missing', '/a/x')).rejects.toMatchObject({ code: 'ENOENT' });
    await p.rename('/a/g.txt', '/a/f.txt');
    await p.unlink('/a/link');
    await p.unlink('/a/f.txt');
    await p.rmdir('/a');
    expect(await p.readdir('/')).toEqual([]);
    expect(fs.size).toBe(0);
  });

  it('keeps appended pieces as they came and reads any range across them', async () => {
    const fs = new MemoryFs();
    await fs.promises.writeFile('/pack', new Uint8Array(0));
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const batch = new Uint8Array(300);
    for (let at = 0; at < bytes.length; at += 300) {
      // One buffer reused for every batch, as the reader does: each append must keep a copy.
      batch.set(bytes.subarray(at, at + 300));
      await fs.promises.appendFile('/pack', batch.subarray(0, Math.min(300, bytes.length - at)));
    }
    const file = await fs.openFile('/pack');
    expect(file.size).toBe(1000);
    for (const [offset, length] of [
      [0, 10],
      [295, 10],
      [299, 302],
      [990, 50],
      [1000, 5],
    ] as const) {
      expect(await file.read(offset, length)).toEqual(bytes.subarray(offset, offset + length));
    }
    expect((await fs.promises.stat('/pack')).size).toBe(1000);
    expect(await fs.promises.readFile('/pack')).toEqual(bytes);
    expect(fs.size).toBe(1000);
  });
});
