/**
 * Labels: create one in a repository, add some to a pull request (its issue).
 */
import { docs, isRecord, type Route, type RouteContext, unprocessable } from '../router.js';
import { type LabelRecord, label } from '../shapes.js';
import { nowIso } from '../state.js';
import { findPull } from './pulls.js';

const issuesWrite = { kind: 'repo', permission: ['issues'], access: 'write' } as const;
const labelsWrite = { kind: 'repo', permission: ['issues', 'pull_requests'], access: 'write' } as const;

function labelNamed(context: RouteContext, name: string): LabelRecord | undefined {
  return context.repo.labels.find((existing) => existing.name.toLowerCase() === name.toLowerCase());
}

async function createLabel(context: RouteContext) {
  const body = isRecord(context.body) ? context.body : {};
  const errors: Record<string, unknown>[] = [];
  if (typeof body.name !== 'string' || body.name === '')
    errors.push({ resource: 'Label', code: 'missing_field', field: 'name' });
  const color = body.color === undefined ? 'ededed' : body.color;
  if (typeof color !== 'string' || !/^[0-9a-fA-F]{6}$/.test(color)) {
    errors.push({ resource: 'Label', code: 'invalid', field: 'color' });
  }
  if (typeof body.name === 'string' && labelNamed(context, body.name)) {
    errors.push({ resource: 'Label', code: 'already_exists', field: 'name' });
  }
  if (errors.length > 0 || typeof body.name !== 'string' || typeof color !== 'string') {
    throw unprocessable('Validation Failed', `${docs.labels}#create-a-label`, errors);
  }
  const record = { id: context.state.nextId(), name: body.name, color: color.toLowerCase() };
  context.repo.labels.push(record);
  return { status: 201, body: label(context.base, context.repo.record, record) };
}

async function addLabels(context: RouteContext) {
  const pull = findPull(context);
  const raw = Array.isArray(context.body) ? context.body : isRecord(context.body) ? context.body.labels : undefined;
  const names = Array.isArray(raw) ? raw.map((entry) => (isRecord(entry) ? entry.name : entry)) : undefined;
  if (!names || names.some((name) => typeof name !== 'string' || name === '')) {
    throw unprocessable('Invalid request.\n\n"labels" wasn\'t supplied.', docs.labels);
  }
  for (const name of names as string[]) {
    let record = labelNamed(context, name);
    if (!record) {
      record = { id: context.state.nextId(), name, color: 'ededed' };
      context.repo.labels.push(record);
    }
    if (!pull.labels.includes(record)) pull.labels.push(record);
  }
  pull.updatedAt = nowIso();
  return { status: 200, body: pull.labels.map((record) => label(context.base, context.repo.record, record)) };
}

export const labelRoutes: Route[] = [
  { method: 'POST', template: '/repos/{owner}/{repo}/labels', auth: issuesWrite, handler: createLabel },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    auth: labelsWrite,
    handler: addLabels,
  },
];
