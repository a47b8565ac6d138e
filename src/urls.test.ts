import { describe, expect, it } from 'vitest';
import { redactUrl, repositoryKey } from './urls.js';

describe('repositoryKey', () => {
  it('makes clone URL, web URL and SSH form of one repository equal', () => {
    const expected = 'github.com/acme/app';
    for (const url of [
      'https://github.com/acme/app.git',
      'https://GitHub.com/acme/app',
      'https://github.com/acme/app/',
      'http://github.com:80/acme/app.git/',
      'https://user:secret@github.com/acme/app.git',
      'git@github.com:acme/app.git',
      'ssh://git@github.com/acme/app.git',
    ]) {
      expect(repositoryKey(url), url).toBe(expected);
    }
  });

  it('keeps non-default ports and path case', () => {
    expect(repositoryKey('https://git.local:8443/Team/App.git')).toBe('git.local:8443/Team/App');
    expect(repositoryKey('http://127.0.0.1:3000/a/b')).toBe('127.0.0.1:3000/a/b');
  });
});

describe('redactUrl', () => {
  it('strips credentials', () => {
    expect(redactUrl('https://user:secret@example.com/a.git')).toBe('https://example.com/a.git');
    expect(redactUrl('not a url //tok@host/x')).not.toContain('tok');
  });

  it('hides credential-like query values (pg reads ?password= from a connection string)', () => {
    expect(redactUrl('postgres://u@db.local:5432/margo?password=hunter2&sslmode=require')).toBe(
      'postgres://db.local:5432/margo?password=redacted&sslmode=require',
    );
    expect(redactUrl('https://example.com/a.git?access_token=abc')).not.toContain('abc');
    expect(redactUrl('not a url ?password=hunter2&x=1')).toBe('not a url ?password=redacted&x=1');
  });
});
