/**
 * Markdown from registries (description files, release notes) rendered safely: markdown-it with
 * raw HTML off, so `<script>` and `<img onerror>` stay text; links only to http, https and mailto
 * (no `javascript:`, `data:` or `vbscript:`), opened without referrer; images are not loaded
 * (they would reach third parties from the End User's browser) but shown as their text.
 */
import MarkdownIt from 'markdown-it';

const SAFE_LINK = /^(https?:|mailto:|#|\/(?!\/)|\.{0,2}\/)/i;

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

markdown.validateLink = (url: string) => SAFE_LINK.test(url.trim());

markdown.renderer.rules.image = (tokens, index) => {
  const token = tokens[index]!;
  const alt = markdown.utils.escapeHtml(token.content || String(token.attrGet('src') ?? 'image'));
  return `<span class="image-text">[${alt}]</span>`;
};

// The page has its own h1 and h2: a file's headings start at h3.
for (const rule of ['heading_open', 'heading_close'] as const) {
  markdown.renderer.rules[rule] = (tokens, index, options, _env, self) => {
    const token = tokens[index]!;
    token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 2)}`;
    return self.renderToken(tokens, index, options);
  };
}

const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));

markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  tokens[index]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, index, options, env, self);
};

/** HTML of a markdown text; safe to insert as raw HTML. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
