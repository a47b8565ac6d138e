/**
 * The normalised application description: every accepted shape (V1 to V5, D-1) is turned
 * into this one model, so that later stages (values, resolution, rendering, the form) never
 * look at a shape again. Field meanings follow docs/specification.md §2.
 */
import { z } from 'zod';

export const shapes = ['V1', 'V2', 'V3', 'V4', 'V5'] as const;
export type Shape = (typeof shapes)[number];

export const profileTypes = ['helm', 'compose', 'custom'] as const;
export type ProfileType = (typeof profileTypes)[number];

export const dataTypes = [
  'string',
  'integer',
  'double',
  'boolean',
  'array[string]',
  'array[integer]',
  'array[double]',
  'array[boolean]',
] as const;
export type DataType = (typeof dataTypes)[number];

export const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof scalarSchema>;
export const valueSchema = z.union([scalarSchema, z.array(scalarSchema)]);
export type Value = z.infer<typeof valueSchema>;

export const extensionsSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

export const componentSchema = z.object({
  name: z.string(),
  /** Properties as written in the description (A-36: kept with their YAML types). */
  properties: z.record(z.string(), scalarSchema),
  extensions: extensionsSchema,
});
export type Component = z.infer<typeof componentSchema>;

export const requirementsSchema = z.record(z.string(), z.unknown());

export const profileSchema = z.object({
  /** V3+ as written; V1/V2 synthesised from the normalised type (`helm`, `compose-2`, ...). */
  id: z.string(),
  type: z.enum(profileTypes),
  typeAsWritten: z.string(),
  description: z.string().optional(),
  requirements: requirementsSchema.optional(),
  components: z.array(componentSchema),
  extensions: extensionsSchema,
});
export type Profile = z.infer<typeof profileSchema>;

export const targetSchema = z.object({
  pointer: z.string(),
  components: z.array(z.string()),
});
export type Target = z.infer<typeof targetSchema>;

export const parameterSchema = z.object({
  name: z.string(),
  default: valueSchema.optional(),
  /** The default's YAML source text (D-3 precision, D-10 version-like values). */
  defaultText: z.string().optional(),
  targets: z.array(targetSchema),
});
export type Parameter = z.infer<typeof parameterSchema>;

export const schemaEntrySchema = z.object({
  name: z.string(),
  dataType: z.string(),
  allowEmpty: z.boolean().optional(),
  minLength: z.number().optional(),
  maxLength: z.number().optional(),
  regexMatch: z.string().optional(),
  minValue: z.number().optional(),
  maxValue: z.number().optional(),
  minPrecision: z.number().optional(),
  maxPrecision: z.number().optional(),
  options: z.array(scalarSchema).optional(),
  multiselect: z.boolean().optional(),
});
export type SchemaEntry = z.infer<typeof schemaEntrySchema>;

export const settingSchema = z.object({
  parameter: z.string(),
  name: z.string(),
  description: z.string().optional(),
  immutable: z.boolean(),
  schema: z.string(),
});
export type Setting = z.infer<typeof settingSchema>;

export const sectionSchema = z.object({
  name: z.string(),
  settings: z.array(settingSchema),
});
export type Section = z.infer<typeof sectionSchema>;

export const catalogSchema = z.object({
  organization: z.array(z.object({ name: z.string(), site: z.string().optional() })),
  author: z.array(z.object({ name: z.string().optional(), email: z.string().optional() })).optional(),
  application: z
    .object({
      descriptionFile: z.string().optional(),
      icon: z.string().optional(),
      licenseFile: z.string().optional(),
      releaseNotes: z.string().optional(),
      site: z.string().optional(),
      tagline: z.string().optional(),
      tags: z.array(z.string()).optional(),
    })
    .optional(),
});
export type Catalog = z.infer<typeof catalogSchema>;

export const descriptionSchema = z.object({
  shape: z.enum(shapes),
  apiVersion: z.string(),
  id: z.string(),
  metadata: z.object({
    name: z.string(),
    description: z.string().optional(),
    /** Source text of `metadata.version` (V1's `1.0` is a YAML float; keep `1.0`). */
    version: z.string(),
    catalog: catalogSchema,
  }),
  profiles: z.array(profileSchema),
  /** Ordered as written; the key is the parameter name. */
  parameters: z.record(z.string(), parameterSchema),
  configuration: z
    .object({
      sections: z.array(sectionSchema),
      schema: z.array(schemaEntrySchema),
    })
    .optional(),
  extensions: extensionsSchema,
});
export type Description = z.infer<typeof descriptionSchema>;

/** One finding about a document or about End-User values. */
export interface Issue {
  severity: 'error' | 'warning';
  /** Stable machine code (REQUIRED, PATTERN, ENUM, TYPE, REFERENCE, ...); tests assert it. */
  code: string;
  /** What is wrong and what was expected, for an Application Developer. */
  message: string;
  /** Location in the document, e.g. `configuration.sections[1].settings[0].schema`; '' for the root. */
  path: string;
  /** The same location as an RFC 6901 JSON pointer (`/configuration/sections/1/settings/0/schema`). */
  pointer?: string;
  /** 1-based; 0 when the document has no position for it (e.g. a value from a form). */
  line: number;
  column: number;
}

/**
 * A value as the End User gave it: form fields arrive as strings, values files keep the
 * scalar's source text for numbers (`1.50` stays "1.50", D-3), JSON bodies may use native types.
 */
export type InputValue = string | number | boolean | null | InputValue[];

/** A value after validation, typed by its schema (D-9), with the digits as typed for doubles. */
export interface TypedValue {
  value: Value;
  /** Source text for numbers (`1.50`), so that written files keep the typed precision. */
  text?: string;
}

export interface ValueIssue {
  parameter: string;
  code: string;
  message: string;
}

export interface ValuesResult {
  valid: boolean;
  issues: ValueIssue[];
  /** Resolved values (End-User input, else the default) for every parameter that has one. */
  values: Record<string, TypedValue>;
}

/** What `validateDocument` found in one YAML text. */
export interface DocumentReport {
  kind: 'description' | 'deployment' | 'not-margo' | 'unparseable';
  /** V1..V5 for descriptions, D1..D5 for deployments, null otherwise. */
  shape: string | null;
  valid: boolean;
  /** Present when kind is 'description' and it normalised (even if it has errors elsewhere). */
  description: Description | null;
  errors: Issue[];
  warnings: Issue[];
}
