import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

describe('renderMarkdown', () => {
  it('keeps raw HTML as text and refuses script links', () => {
    const html = renderMarkdown(
      '# Notes\n\n<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3)) [data](data:text/html,x) [ok](https://example.com)\n',
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('href="javascript:');
    expect(html).not.toContain('href="data:');
    expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>');
  });

  it('shows images as their text instead of loading them', () => {
    expect(renderMarkdown('![logo](https://tracker.example/pixel.png)')).toContain('[logo]');
    expect(renderMarkdown('![logo](https://tracker.example/pixel.png)')).not.toContain('<img');
  });
});
