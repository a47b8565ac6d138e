/**
 * Forgejo's published API description as runtime checks for the fake Gitea/Forgejo API. The
 * types come from @llamaduck/forgejo-ts (generated from Forgejo's swagger; the package ships no
 * JSON schema). Each shape below lists every field of a Forgejo type with its JSON kind, and the
 * compiler holds it to that type both ways (`satisfies Shape<T>`: a missing or extra field, or a
 * wrong kind, fails the typecheck), so checking an answer against the shapes checks it against
 * the types. Each operation lists the statuses the description documents for it, held to its
 * `…Responses` and `…Errors` types the same way.
 */
import type {
  ApiError,
  ApiForbiddenError,
  ApiNotFound,
  ApiValidationError,
  IssueAddLabelErrors,
  IssueAddLabelResponses,
  Label,
  Permission,
  PrBranchInfo,
  PullRequest,
  RepoCreatePullRequestErrors,
  RepoCreatePullRequestResponses,
  RepoEditPullRequestErrors,
  RepoEditPullRequestResponses,
  RepoGetErrors,
  RepoGetPullRequestErrors,
  RepoGetPullRequestResponses,
  RepoGetResponses,
  RepoListPullRequestsErrors,
  RepoListPullRequestsResponses,
  Repository,
} from '@llamaduck/forgejo-ts';

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object';
type KindOf<T> = [NonNullable<T>] extends [string]
  ? 'string'
  : [NonNullable<T>] extends [number]
    ? 'number'
    : [NonNullable<T>] extends [boolean]
      ? 'boolean'
      : [NonNullable<T>] extends [readonly unknown[]]
        ? 'array'
        : 'object';
/** Every field of `T` (all optional in Forgejo's types) with the JSON kind of its value. */
type Shape<T> = { [K in keyof Required<T>]: KindOf<T[K]> };
/** Every status an operation's description documents. */
type Statuses<Responses, Errors> = Record<keyof Responses | keyof Errors, true>;

const message = { message: 'string', url: 'string' } as const;
const apiError = message satisfies Shape<ApiError>;
const forbidden = message satisfies Shape<ApiForbiddenError>;
const validation = message satisfies Shape<ApiValidationError>;
const notFound = { ...message, errors: 'array' } as const satisfies Shape<ApiNotFound>;

const label = {
  color: 'string',
  description: 'string',
  exclusive: 'boolean',
  id: 'number',
  is_archived: 'boolean',
  name: 'string',
  url: 'string',
} as const satisfies Shape<Label>;

const permission = { admin: 'boolean', pull: 'boolean', push: 'boolean' } as const satisfies Shape<Permission>;

const repository = {
  allow_fast_forward_only_merge: 'boolean',
  allow_merge_commits: 'boolean',
  allow_rebase: 'boolean',
  allow_rebase_explicit: 'boolean',
  allow_rebase_update: 'boolean',
  allow_squash_merge: 'boolean',
  archived: 'boolean',
  archived_at: 'string',
  avatar_url: 'string',
  clone_url: 'string',
  created_at: 'string',
  default_allow_maintainer_edit: 'boolean',
  default_branch: 'string',
  default_delete_branch_after_merge: 'boolean',
  default_merge_style: 'string',
  default_update_style: 'string',
  description: 'string',
  empty: 'boolean',
  external_tracker: 'object',
  external_wiki: 'object',
  fork: 'boolean',
  forks_count: 'number',
  full_name: 'string',
  globally_editable_wiki: 'boolean',
  has_actions: 'boolean',
  has_issues: 'boolean',
  has_packages: 'boolean',
  has_projects: 'boolean',
  has_pull_requests: 'boolean',
  has_releases: 'boolean',
  has_wiki: 'boolean',
  has_wiki_contents: 'boolean',
  html_url: 'string',
  id: 'number',
  ignore_whitespace_conflicts: 'boolean',
  internal: 'boolean',
  internal_tracker: 'object',
  language: 'string',
  languages_url: 'string',
  link: 'string',
  mirror: 'boolean',
  mirror_interval: 'string',
  mirror_updated: 'string',
  name: 'string',
  object_format_name: 'string',
  open_issues_count: 'number',
  open_pr_counter: 'number',
  original_url: 'string',
  owner: 'object',
  parent: 'object',
  permissions: 'object',
  private: 'boolean',
  release_counter: 'number',
  repo_transfer: 'object',
  size: 'number',
  ssh_url: 'string',
  stars_count: 'number',
  template: 'boolean',
  topics: 'array',
  updated_at: 'string',
  url: 'string',
  watchers_count: 'number',
  website: 'string',
  wiki_branch: 'string',
  wiki_clone_url: 'string',
  wiki_ssh_url: 'string',
} as const satisfies Shape<Repository>;

const branch = {
  label: 'string',
  ref: 'string',
  repo: 'object',
  repo_id: 'number',
  sha: 'string',
} as const satisfies Shape<PrBranchInfo>;

const pullRequest = {
  additions: 'number',
  allow_maintainer_edit: 'boolean',
  assignee: 'object',
  assignees: 'array',
  base: 'object',
  body: 'string',
  changed_files: 'number',
  closed_at: 'string',
  comments: 'number',
  created_at: 'string',
  deletions: 'number',
  diff_url: 'string',
  draft: 'boolean',
  due_date: 'string',
  flow: 'number',
  head: 'object',
  html_url: 'string',
  id: 'number',
  is_locked: 'boolean',
  labels: 'array',
  merge_base: 'string',
  merge_commit_sha: 'string',
  mergeable: 'boolean',
  merged: 'boolean',
  merged_at: 'string',
  merged_by: 'object',
  milestone: 'object',
  number: 'number',
  patch_url: 'string',
  pin_order: 'number',
  requested_reviewers: 'array',
  requested_reviewers_teams: 'array',
  review_comments: 'number',
  state: 'string',
  title: 'string',
  updated_at: 'string',
  url: 'string',
  user: 'object',
} as const satisfies Shape<PullRequest>;

/** A shape and the shapes of its object (or array-of-object) fields that answers may fill. */
export interface Schema {
  name: string;
  fields: Readonly<Record<string, Kind>>;
  nested?: Readonly<Record<string, Schema>>;
}

const repositorySchema: Schema = {
  name: 'Repository',
  fields: repository,
  nested: { permissions: { name: 'Permission', fields: permission } },
};
const branchSchema: Schema = { name: 'PRBranchInfo', fields: branch, nested: { repo: repositorySchema } };
const labelSchema: Schema = { name: 'Label', fields: label };
const pullSchema: Schema = {
  name: 'PullRequest',
  fields: pullRequest,
  nested: { head: branchSchema, base: branchSchema, labels: labelSchema },
};
const errorSchemas: Record<number, Schema> = {
  403: { name: 'APIForbiddenError', fields: forbidden },
  404: { name: 'APINotFound', fields: notFound },
  422: { name: 'APIValidationError', fields: validation },
};
export function errorSchema(status: number): Schema {
  return errorSchemas[status] ?? { name: 'APIError', fields: apiError };
}

export interface Operation {
  id: string;
  method: string;
  /** Path below `/api/v1`, as in the description. */
  path: string;
  pattern: RegExp;
  /** Documented statuses; the success one answers `success` (an array of it when `list`). */
  statuses: readonly number[];
  success: { status: number; schema: Schema; list?: boolean };
}

const statusList = (statuses: Record<number, true>) => Object.keys(statuses).map(Number);

/** The operations the fake serves, with what Forgejo's description documents for each. */
export const operations: readonly Operation[] = [
  {
    id: 'repoGet',
    method: 'GET',
    path: '/repos/{owner}/{repo}',
    pattern: /^\/api\/v1\/repos\/[^/]+\/[^/]+$/,
    statuses: statusList({ 200: true, 404: true } satisfies Statuses<RepoGetResponses, RepoGetErrors>),
    success: { status: 200, schema: repositorySchema },
  },
  {
    id: 'repoListPullRequests',
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls',
    pattern: /^\/api\/v1\/repos\/[^/]+\/[^/]+\/pulls$/,
    statuses: statusList({ 200: true, 400: true, 404: true, 500: true } satisfies Statuses<
      RepoListPullRequestsResponses,
      RepoListPullRequestsErrors
    >),
    success: { status: 200, schema: pullSchema, list: true },
  },
  {
    id: 'repoCreatePullRequest',
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls',
    pattern: /^\/api\/v1\/repos\/[^/]+\/[^/]+\/pulls$/,
    statuses: statusList({ 201: true, 404: true, 409: true, 413: true, 422: true, 423: true } satisfies Statuses<
      RepoCreatePullRequestResponses,
      RepoCreatePullRequestErrors
    >),
    success: { status: 201, schema: pullSchema },
  },
  {
    id: 'repoGetPullRequest',
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{index}',
    pattern: /^\/api\/v1\/repos\/[^/]+\/[^/]+\/pulls\/\d+$/,
    statuses: statusList({ 200: true, 404: true } satisfies Statuses<
      RepoGetPullRequestResponses,
      RepoGetPullRequestErrors
    >),
    success: { status: 200, schema: pullSchema },
  },
  {
    id: 'repoEditPullRequest',
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/pulls/{index}',
    pattern: /^\/api\/v1\/repos\/[^/]+\/[^/]+\/pulls\/\d+$/,
    statuses: statusList({ 201: true, 403: true, 404: true, 409: true, 412: true, 422: true } satisfies Statuses<
      RepoEditPullRequestResponses,
      RepoEditPullRequestErrors
    >),
    success: { status: 201, schema: pullSchema },
  },
  {
    id: 'issueAddLabel',
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{index}/labels',
    pattern: /^\/api\/v1\/repos\/[^/]+\/[^/]+\/issues\/\d+\/labels$/,
    statuses: statusList({ 200: true, 403: true, 404: true } satisfies Statuses<
      IssueAddLabelResponses,
      IssueAddLabelErrors
    >),
    success: { status: 200, schema: labelSchema, list: true },
  },
];

/**
 * Statuses Forgejo's middleware answers before any operation runs, which the description does not
 * repeat per operation: 401 (no or unknown token) and 403 (the token's user may not write).
 */
export const middlewareStatuses: readonly number[] = [401, 403];

/** Where `value` departs from `schema`: unknown fields, wrong kinds, nested objects without a shape. */
export function shapeProblems(value: unknown, schema: Schema, at = schema.name): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: not an object`];
  const problems: string[] = [];
  for (const [field, fieldValue] of Object.entries(value)) {
    const kind = schema.fields[field];
    const path = `${at}.${field}`;
    if (kind === undefined) {
      problems.push(`${path}: not a field of ${schema.name}`);
      continue;
    }
    if (fieldValue === null) continue;
    const actual = Array.isArray(fieldValue) ? 'array' : typeof fieldValue;
    if (actual !== kind) {
      problems.push(`${path}: ${actual}, the description says ${kind}`);
      continue;
    }
    const nested = schema.nested?.[field];
    const objects = (kind === 'array' ? (fieldValue as unknown[]) : [fieldValue]).filter(
      (item) => typeof item === 'object' && item !== null,
    );
    if (objects.length === 0) continue;
    if (!nested) {
      problems.push(`${path}: has objects, but no shape to check them against`);
      continue;
    }
    objects.forEach((item, index) => {
      problems.push(...shapeProblems(item, nested, kind === 'array' ? `${path}[${index}]` : path));
    });
  }
  return problems;
}

/** Problems of one answer of the fake: an undocumented route or status, or a body off its shape. */
export function answerProblems(answer: { method: string; path: string; status: number; body: unknown }): string[] {
  const where = `${answer.method} ${answer.path} → ${answer.status}`;
  const operation = operations.find((op) => op.method === answer.method && op.pattern.test(answer.path));
  if (!operation) return [`${where}: no such operation in Forgejo's description`];
  if (!operation.statuses.includes(answer.status) && !middlewareStatuses.includes(answer.status)) {
    return [`${where}: status not documented for ${operation.id} (${operation.statuses.join(', ')})`];
  }
  if (answer.status !== operation.success.status) {
    return shapeProblems(answer.body, errorSchema(answer.status)).map((problem) => `${where}: ${problem}`);
  }
  const { schema, list } = operation.success;
  if (!list) return shapeProblems(answer.body, schema).map((problem) => `${where}: ${problem}`);
  if (!Array.isArray(answer.body)) return [`${where}: not an array of ${schema.name}`];
  return answer.body.flatMap((item, index) =>
    shapeProblems(item, schema, `${schema.name}[${index}]`).map((problem) => `${where}: ${problem}`),
  );
}
