import { describe, expect, it } from 'vitest';
import { templateNames } from '../../src/margo/render/template.js';
import { bundledTemplates, bundledTemplateTexts } from '../../src/runtime/worker/templates.js';

describe('templates on Workers', () => {
  it('bundles every template as text and compiles them', () => {
    expect(Object.keys(bundledTemplateTexts).sort()).toEqual([...templateNames].sort());
    for (const text of Object.values(bundledTemplateTexts)) expect(text).toMatch(/!var /);
    expect(Object.keys(bundledTemplates()).sort()).toEqual([...templateNames].sort());
  });
});
