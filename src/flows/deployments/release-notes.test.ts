import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { forgeFileUrl } from '../../urls.js';
import { proposalMarker } from './proposal-text.js';
import { safeReleaseNotes } from './release-notes.js';

// How a forge renders the body: GitHub-flavoured, raw HTML allowed.
const forge = new MarkdownIt({ html: true });
const safe = (text: string, limit = 10_000) => safeReleaseNotes(text, limit, 4).markdown;
/** The text nodes a forge's mention and reference filters would scan (outside code and links). */
const scanned = (markdown: string) =>
  forge
    .render(markdown)
    .replace(/<code>[\s\S]*?<\/code>|<a [^>]*>[\s\S]*?<\/a>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&#8203;/g, '\u200b');

describe('safeReleaseNotes', () => {
  it('neutralises @mentions and team mentions, but keeps e-mail addresses and code', () => {
    const out = safe('Thanks @alice, _@bob_ and (@org/team)! Mail me@example.org. `@kept` in code.');
    expect(scanned(out)).not.toMatch(/(^|\W)@[a-z0-9]/i);
    expect(out).toContain('me@example.org');
    expect(out).toContain('`@kept`');
    expect(forge.render(out)).toContain('<code>@kept</code>');
  });

  it('neutralises issue and pull request references, including entity spellings', () => {
    const out = safe('Fixes #12, acme/app#7, GH-3 and _GH-4_. Also &#35;9 and &#64;bob and &commat;carol.');
    const text = scanned(out);
    expect(text).not.toMatch(/#\d/);
    expect(text).not.toMatch(/GH-\d/);
    expect(text).not.toMatch(/(^|\W)@[a-z]/);
    // Shown as written, not decoded.
    expect(text.replaceAll('\u200b', '')).toContain('&#35;9 and &#64;bob');
  });

  it('escapes raw HTML, inline and as a block, comments included', () => {
    const out = safe('<div onclick="x">block</div>\n\nText <img src=https://evil.example/p.png> and <!-- hidden -->');
    const html = forge.render(out);
    expect(html).not.toMatch(/<(div|img|!--)/);
    expect(html).toContain('&lt;img');
  });

  it('demotes headings below the section, ATX and setext', () => {
    const out = safe('# Big\n\n## Smaller\n\nSetext\n======\n\n> # Quoted\n');
    const html = forge.render(out);
    expect(html).not.toMatch(/<h[1-4]>/);
    expect(html).toContain('<h5>Big</h5>');
    expect(html).toContain('<h6>Smaller</h6>');
    expect(html).toContain('<h5>Setext</h5>');
    expect(html).toMatch(/<blockquote>\s*<h5>Quoted<\/h5>/);
  });

  it('leaves code fences as written and closes one left open', () => {
    const closed = safe('```sh\necho @root #1 <b>\n```\n\nafter');
    expect(closed).toContain('echo @root #1 <b>');
    const open = safe('Text\n\n````\nstill code\n``` not a close\n');
    expect(open.endsWith('\n````')).toBe(true);
    const body = `${open}\n\n[Full release notes](https://x.example)`;
    expect(forge.render(body)).toContain('<a href="https://x.example">Full release notes</a>');
  });

  it('turns images into links, inline and by reference', () => {
    const out = safe('![logo](https://evil.example/t.png) and ![ref][r]\n\n[r]: https://evil.example/u.png\n');
    const html = forge.render(out);
    expect(html).not.toContain('<img');
    expect(html).toContain('href="https://evil.example/t.png"');
    expect(html).toContain('href="https://evil.example/u.png"');
  });

  it('keeps URLs and link destinations intact', () => {
    const out = safe('See https://example.org/a#123?x=1&y=@z and [docs](https://example.org/d#4).');
    expect(forge.render(out)).toContain('href="https://example.org/d#4"');
    expect(out).toContain('https://example.org/a#123?x=1&amp;y=@z');
  });

  it('cannot forge the proposal marker, in text or in code', () => {
    const marker = proposalMarker('dep_other');
    const out = safe(`${marker}\n\n\`\`\`\n${marker}\n\`\`\`\n\n\`${marker}\``);
    expect(out).not.toContain(marker);
    expect(out.toLowerCase()).not.toContain('margo-bridge:deployment=');
  });

  it('cuts between blocks, never inside a fence or a link', () => {
    const fence = `\`\`\`\n${'code line\n'.repeat(20)}\`\`\``;
    const text = `First paragraph.\n\n${fence}\n\n[a link](https://example.org/long)`;
    const inFence = safeReleaseNotes(text, 60, 4);
    expect(inFence.cut).toBe(true);
    expect(inFence.markdown).toBe('First paragraph.');
    const beforeLink = safeReleaseNotes(text, text.length - 5, 4);
    expect(beforeLink.markdown).toContain('code line');
    expect(beforeLink.markdown).not.toContain('[a link]');
    expect(beforeLink.markdown.endsWith('```')).toBe(true);
    const whole = safeReleaseNotes(text, text.length, 4);
    expect(whole.cut).toBe(false);
    expect(whole.markdown).toContain('[a link](https://example.org/long)');
  });

  it('cuts a long list between its items', () => {
    const text = `Intro\n\n${'- item with [a link](https://example.org/x)\n'.repeat(40)}`;
    const { markdown, cut } = safeReleaseNotes(text, 500, 4);
    expect(cut).toBe(true);
    const items = markdown.split('\n').slice(2);
    expect(items.length).toBeGreaterThan(5);
    for (const item of items) expect(item).toBe('- item with [a link](https://example.org/x)');
  });

  it('cuts one oversized block at a line, and one long line at a space before a link', () => {
    const lines = safeReleaseNotes(`${'word '.repeat(10)}\n${'more '.repeat(10)}\n${'tail '.repeat(10)}`, 105, 4);
    expect(lines.markdown).toBe(`${'word '.repeat(10)}\n${'more '.repeat(10)}`.trimEnd());
    const line = safeReleaseNotes(`${'a '.repeat(20)}[link](https://example.org/${'x'.repeat(50)}) end`, 60, 4);
    expect(line.cut).toBe(true);
    expect(line.markdown).toBe('a '.repeat(20).trimEnd());
  });
});

describe('forgeFileUrl', () => {
  it('links the file at the tag on GitHub, GitLab, Gitea and Forgejo, without credentials', () => {
    expect(forgeFileUrl('https://github.com/acme/app.git', 'v1.3.0', 'pkg/notes.md')).toBe(
      'https://github.com/acme/app/blob/v1.3.0/pkg/notes.md',
    );
    expect(forgeFileUrl('https://ci:tok@gitlab.com/group/sub/app', 'v1.3.0', 'notes.md')).toBe(
      'https://gitlab.com/group/sub/app/-/blob/v1.3.0/notes.md',
    );
    expect(forgeFileUrl('https://codeberg.org/acme/app', 'v1', 'a (b).md')).toBe(
      'https://codeberg.org/acme/app/src/tag/v1/a%20%28b%29.md',
    );
    expect(forgeFileUrl('https://forgejo.example.org:8443/acme/app', 'v1', 'n.md')).toBe(
      'https://forgejo.example.org:8443/acme/app/src/tag/v1/n.md',
    );
  });

  it('gives nothing for unknown hosts and non-web URLs', () => {
    expect(forgeFileUrl('http://127.0.0.1:9000/app.git', 'v1', 'n.md')).toBeUndefined();
    expect(forgeFileUrl('git@github.com:acme/app.git', 'v1', 'n.md')).toBeUndefined();
    expect(forgeFileUrl('https://github.com/acme', 'v1', 'n.md')).toBeUndefined();
  });
});
