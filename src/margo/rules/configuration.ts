/**
 * The configuration block: unique schema names (R4), settings that name a defined parameter (R1,
 * once each) and schema entry (R2), and parameters that nothing ever writes.
 */
import type { DocPath, IssueList } from '../issues.js';
import type { SchemaEntry } from '../model.js';
import { entries, isEmpty, rec } from './raw.js';
import { checkSchemaEntry } from './schema-entry.js';

export function checkConfiguration(raw: Record<string, unknown>, issues: IssueList): void {
  const configuration = rec(raw.configuration);
  const parameters = rec(raw.parameters);
  const schemaNames = new Map<string, number>();
  entries(configuration.schema).forEach((item, s) => {
    const entry = rec(item);
    const path: DocPath = ['configuration', 'schema', s];
    if (typeof entry.name === 'string') {
      const first = schemaNames.get(entry.name);
      if (first !== undefined)
        issues.error('DUPLICATE', [...path, 'name'], `schema name '${entry.name}' is already used`);
      else schemaNames.set(entry.name, s);
    }
    checkSchemaEntry(entry as Partial<SchemaEntry>, path, issues);
  });
  const settingOf = new Map<string, DocPath>();
  entries(configuration.sections).forEach((sectionItem, si) => {
    entries(rec(sectionItem).settings).forEach((item, i) => {
      const setting = rec(item);
      const path: DocPath = ['configuration', 'sections', si, 'settings', i];
      if (typeof setting.parameter === 'string') {
        if (!(setting.parameter in parameters)) {
          issues.error(
            'REFERENCE',
            [...path, 'parameter'],
            `setting parameter '${setting.parameter}' is not defined under parameters`,
          );
        } else if (settingOf.has(setting.parameter)) {
          issues.error('DUPLICATE', [...path, 'parameter'], `parameter '${setting.parameter}' already has a setting`);
        } else settingOf.set(setting.parameter, path);
      }
      if (typeof setting.schema === 'string' && !schemaNames.has(setting.schema)) {
        issues.error(
          'REFERENCE',
          [...path, 'schema'],
          `setting schema '${setting.schema}' is not defined under configuration.schema`,
        );
      }
    });
  });
  // a parameter without a setting is not editable; without a default it has nothing to write.
  for (const [name, entry] of Object.entries(parameters)) {
    if (!settingOf.has(name) && isEmpty(rec(entry).value)) {
      issues.warning(
        'UNREFERENCED',
        ['parameters', name],
        `parameter ${name} has no setting and no default, so it is never written`,
        'key',
      );
    }
  }
}
