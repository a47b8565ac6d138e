/**
 * Reads an existing ApplicationDeployment (any shape D1–D5) for an update: its id (kept, D-9),
 * name (kept), application id and parameter values (for the immutable check, D-12). The file is
 * validated first; an invalid one is refused rather than half-trusted.
 */
import { parse } from 'yaml';
import { BridgeError } from '../../errors.js';
import type { Value } from '../model.js';
import { validateDocument } from '../validate.js';
import type { PreviousDeployment } from './build.js';

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function isValue(value: unknown): value is Value {
  const scalar = (item: unknown) => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean';
  return scalar(value) || (Array.isArray(value) && value.every(scalar));
}

export function readPreviousDeployment(text: string): PreviousDeployment {
  const report = validateDocument(text);
  if (report.kind !== 'deployment' || !report.valid) {
    const found = report.kind === 'deployment' ? 'an invalid ApplicationDeployment' : `a ${report.kind} document`;
    throw new BridgeError('BAD_REQUEST', `the previous deployment is ${found}`, { errors: report.errors });
  }
  const raw = record(parse(text));
  const metadata = record(raw.metadata);
  const annotations = record(metadata.annotations);
  const spec = record(raw.spec);
  const id = String(raw.id ?? annotations.id);
  const applicationId = String(spec.applicationId ?? annotations.applicationId);
  const values: Record<string, Value> = {};
  for (const [name, parameter] of Object.entries(record(spec.parameters))) {
    const value = record(parameter).value;
    if (isValue(value)) values[name] = value;
  }
  const previous: PreviousDeployment = { id, applicationId, values };
  if (typeof metadata.name === 'string') previous.name = metadata.name;
  return previous;
}
