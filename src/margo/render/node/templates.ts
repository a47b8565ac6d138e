/**
 * Node loader for the templates: reads `<dir>/<name>.yaml` for every template (default: the
 * package's `templates/` folder) and compiles them. The Workers build imports the same files as
 * text instead.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BridgeError } from '../../../errors.js';
import { compileTemplates, type Templates, type TemplateTexts, templateNames } from '../template.js';

export const defaultTemplatesDir = new URL('../../../../templates/', import.meta.url);

export async function loadTemplateTexts(dir: URL | string = defaultTemplatesDir): Promise<TemplateTexts> {
  const base = typeof dir === 'string' ? pathToFileURL(`${resolve(dir)}/`) : dir;
  const texts = {} as TemplateTexts;
  for (const name of templateNames) {
    const file = new URL(`${name}.yaml`, base);
    try {
      texts[name] = await readFile(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new BridgeError('CONFIG_INVALID', `template ${name}: cannot read ${file.pathname} (${reason})`, {
        template: name,
      });
    }
  }
  return texts;
}

export async function loadTemplates(dir?: URL | string): Promise<Templates> {
  return compileTemplates(await loadTemplateTexts(dir));
}
