/**
 * The review records of the `local` provider, kept inside the bare repository itself: each
 * proposal is a JSON blob that `refs/margo-bridge/proposals/<number>` points to. The repository
 * is then the whole state of its proposals (backed up, copied and removed with it), and the
 * provider needs no store. The repository hides these refs from smart-HTTP clients
 * (`uploadpack.hideRefs`, set when it is created): controllers see branches only.
 */
import git from 'isomorphic-git';
import type { CommitAuthor, ProposalState } from './interface.js';
import type { ObjectStore } from './objects.js';

export interface LocalRecord {
  number: number;
  branch: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  author: CommitAuthor;
  state: ProposalState;
  /** The branch head when the record was last written; kept after the branch is deleted. */
  commit: string;
  mergeCommit?: string;
}

const prefix = 'refs/margo-bridge/proposals';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function listRecords(store: ObjectStore): Promise<LocalRecord[]> {
  const names = await git.listRefs({ ...store, filepath: prefix });
  const records: LocalRecord[] = [];
  for (const name of names) {
    const record = await readRecord(store, Number(name));
    if (record) records.push(record);
  }
  return records.sort((a, b) => a.number - b.number);
}

export async function readRecord(store: ObjectStore, number: number): Promise<LocalRecord | undefined> {
  if (!Number.isSafeInteger(number) || number < 1) return undefined;
  try {
    const oid = await git.resolveRef({ ...store, ref: `${prefix}/${number}` });
    const { blob } = await git.readBlob({ ...store, oid });
    return JSON.parse(decoder.decode(blob)) as LocalRecord;
  } catch {
    return undefined;
  }
}

export async function writeRecord(store: ObjectStore, record: LocalRecord): Promise<void> {
  const oid = await git.writeBlob({ ...store, blob: encoder.encode(`${JSON.stringify(record, null, 2)}\n`) });
  await git.writeRef({ ...store, ref: `${prefix}/${record.number}`, value: oid, force: true });
}

export async function nextNumber(store: ObjectStore): Promise<number> {
  const names = await git.listRefs({ ...store, filepath: prefix });
  return names.reduce((max, name) => Math.max(max, Number(name) || 0), 0) + 1;
}
