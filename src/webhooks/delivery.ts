/**
 * The normalised webhook delivery: what a forge told us, reduced to what margo-bridge acts on.
 * Each forge's parser (github.ts, gitea.ts, gitlab.ts) returns one; `flows/deliveries.ts` maps
 * `kind` to a handler, so a new kind of event is a new handler, not a new receiver.
 */

/** `distribution`: OCI registry notifications (issue 16), not a forge, received the same way. */
export const forges = ['github', 'gitea', 'gitlab', 'distribution'] as const;
export type Forge = (typeof forges)[number];

export function isForge(value: string): value is Forge {
  return (forges as readonly string[]).includes(value);
}

/**
 * What a delivery is about, independent of the forge:
 * - `ping`: the forge checks the hook (answered 200, nothing to do);
 * - `tag`: a tag was pushed, created or deleted;
 * - `release`: a release was published;
 * - `branch-push`: commits pushed to a branch (registries ignore it; deployments will use it);
 * - `pull-request`: a pull or merge request changed (deployments will use it);
 * - `other`: an event or action margo-bridge does not act on.
 */
export const deliveryKinds = ['ping', 'tag', 'release', 'branch-push', 'pull-request', 'other'] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

export interface Delivery {
  forge: Forge;
  /** The forge's id of this delivery; a redelivery carries the same id. */
  deliveryId: string;
  /** The forge's event name as sent (`push`, `create`, `Tag Push Hook`, ...). */
  event: string;
  action: string | null;
  kind: DeliveryKind;
  /** The repository's URLs as the payload gives them (clone URL first, then web URL); matched by `repositoryKey`. */
  repositoryUrls: string[];
  /**
   * The forge's clone URL field of the event (GitHub and Gitea `repository.clone_url`, GitLab
   * `project.git_http_url`): the one URL a registry's own secret is checked against, since other
   * URL fields of a payload may name any repository.
   */
  cloneUrl: string | null;
  /** Tag or branch name, or pull request number, when the event names one. */
  ref: string | null;
  /** True when the event removes what `ref` names (a deleted tag). */
  deleted: boolean;
}

/** Headers carrying the forge's delivery id, in order of preference (GitLab's Idempotency-Key survives retries). */
export const deliveryIdHeaders: Record<Forge, readonly string[]> = {
  github: ['x-github-delivery'],
  gitea: ['x-forgejo-delivery', 'x-gitea-delivery', 'x-gogs-delivery'],
  gitlab: ['idempotency-key', 'webhook-id', 'x-gitlab-event-uuid'],
  distribution: [],
};

/** Reads a header from the first of several names that is present (forges and their forks rename them). */
export function firstHeader(headers: Headers, names: readonly string[]): string | null {
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null && value.trim() !== '') return value.trim();
  }
  return null;
}

/** What a forge's parser returns: the delivery id is null when the forge sent no id header. */
export type ParsedDelivery = Omit<Delivery, 'deliveryId'> & { deliveryId: string | null };
