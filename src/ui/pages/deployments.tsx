/** Deployment pages: the list with filters, and one deployment with its proposal, history and actions. */
import type { FC } from 'hono/jsx';
import type { DeploymentView, ProposalView } from '../../flows/deployments/index.js';
import { deploymentStates } from '../../store/deployment-records.js';
import type { SessionRecord } from '../../store/interface.js';
import { Input, Select } from '../fields.js';
import { ActionButton, IfRole, Layout } from '../layout.js';
import { MarkBadge, MarkNote } from '../mark.js';

export interface DeploymentFilters {
  state: string;
  application: string;
  target: string;
}

const time = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** A proposal's page: the forge's pull request, or (local review) this deployment's page. */
export function proposalLink(proposal: ProposalView | null): string | undefined {
  return proposal?.url && /^https?:\/\//i.test(proposal.url) ? proposal.url : undefined;
}

export const DeploymentList: FC<{
  session: SessionRecord;
  deployments: DeploymentView[];
  filters: DeploymentFilters;
  notice?: string | undefined;
}> = ({ session, deployments, filters, notice }) => (
  <Layout title="Deployments" session={session} section="deployments" notice={notice}>
    <h1>Deployments</h1>
    <form method="get" action="/deployments" class="filters" aria-label="Filter deployments">
      <Select
        name="state"
        label="State"
        value={filters.state}
        placeholder="Any state"
        options={deploymentStates.map((state) => ({ value: state, label: state }))}
      />
      <Input name="application" label="Application id" value={filters.application} />
      <Input name="target" label="Target" value={filters.target} />
      <button type="submit">Filter</button>
    </form>
    {deployments.length === 0 ? (
      <p>No deployment{filters.state || filters.application || filters.target ? ' matches' : ' yet'}.</p>
    ) : (
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Application</th>
              <th scope="col">Target</th>
              <th scope="col">State</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((deployment) => (
              <tr>
                <td>
                  <a href={`/deployments/${deployment.id}`}>{deployment.name}</a>
                </td>
                <td>
                  {deployment.applicationId} {deployment.version}
                  <MarkBadge mark={deployment.versionMark} />
                </td>
                <td>
                  {deployment.target} <span class="muted">({deployment.repository.name})</span>
                </td>
                <td>
                  <span class={`badge ${deployment.state}`}>{deployment.state}</span>
                </td>
                <td>{time(deployment.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </Layout>
);

export const DeploymentDetail: FC<{
  session: SessionRecord;
  deployment: DeploymentView & { history: ProposalView[] };
  /** The repository's provider can merge here (local review). */
  reviewedHere: boolean;
  /** Newer usable versions of the application, newest first. */
  upgrades: string[];
  notice?: string | undefined;
}> = ({ session, deployment, reviewedHere, upgrades, notice }) => {
  const proposal = deployment.proposal;
  const link = proposalLink(proposal);
  const base = `/deployments/${deployment.id}`;
  const open = proposal?.state === 'proposed';
  return (
    <Layout title={deployment.name} session={session} section="deployments" notice={notice}>
      <h1>Deployment {deployment.name}</h1>
      <p>
        State: <span class={`badge ${deployment.state}`}>{deployment.state}</span>
        {deployment.failureReason && <> {deployment.failureReason}</>}
      </p>
      <MarkNote mark={deployment.versionMark} deployment />
      <dl class="facts">
        <dt>Application</dt>
        <dd>
          <a href={`/catalogue/${encodeURIComponent(deployment.applicationId)}`}>{deployment.applicationId}</a>{' '}
          {deployment.version}
          <MarkBadge mark={deployment.versionMark} />
        </dd>
        <dt>Profile</dt>
        <dd>{deployment.profile}</dd>
        <dt>Repository</dt>
        <dd>{deployment.repository.name}</dd>
        <dt>Target</dt>
        <dd>{deployment.target}</dd>
        <dt>Namespace</dt>
        <dd>{deployment.namespace}</dd>
        <dt>Proposal</dt>
        <dd>
          {proposal ? (
            <>
              <span class={`badge ${proposal.state}`}>{proposal.state}</span>{' '}
              {link ? (
                <a href={link} rel="noopener noreferrer" id="proposal-link">
                  pull request{proposal.number !== null ? ` #${proposal.number}` : ''}
                </a>
              ) : (
                <span id="proposal-link">
                  {reviewedHere ? 'reviewed here' : 'branch'} <code>{proposal.branch}</code>
                  {proposal.number !== null ? ` (#${proposal.number})` : ''}
                </span>
              )}
            </>
          ) : (
            'none'
          )}
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{deployment.id}</code>
        </dd>
      </dl>
      <div class="actions">
        <IfRole session={session} atLeast="operator">
          {deployment.state !== 'removed' && (
            <a class="button secondary" href={`${base}/edit`}>
              Change values
            </a>
          )}
          {deployment.state !== 'removed' && upgrades[0] && (
            <a class="button secondary" href={`${base}/edit?version=${encodeURIComponent(upgrades[0])}`}>
              Upgrade to {upgrades[0]}
            </a>
          )}
          {open && reviewedHere && (
            <ActionButton session={session} action={`${base}/approve`} label="Approve and merge" />
          )}
          {open && <ActionButton session={session} action={`${base}/close`} label="Close proposal" danger />}
          {deployment.state === 'failed' && <ActionButton session={session} action={`${base}/retry`} label="Retry" />}
          {deployment.state !== 'removed' && (
            <ActionButton
              session={session}
              action={`${base}/remove`}
              label="Remove"
              danger
              confirm={`Propose removing ${deployment.name} from ${deployment.target}?`}
            />
          )}
        </IfRole>
      </div>
      <h2>Values</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(deployment.values).map(([name, value]) => (
              <tr>
                <td>{name}</td>
                <td>
                  <code>{Array.isArray(value) ? value.join(', ') : String(value)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>History</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Change</th>
              <th scope="col">State</th>
              <th scope="col">Commit</th>
              <th scope="col">Asked by</th>
            </tr>
          </thead>
          <tbody>
            {deployment.history.map((entry) => (
              <tr>
                <td>{time(entry.requestedAt)}</td>
                <td>
                  {entry.action} {entry.version}
                </td>
                <td>
                  <span class={`badge ${entry.state}`}>{entry.state}</span>
                  {entry.failureReason && <> {entry.failureReason}</>}
                </td>
                <td>
                  <code>{entry.commit?.slice(0, 12) ?? '–'}</code>
                </td>
                <td>{entry.requestedBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
};
