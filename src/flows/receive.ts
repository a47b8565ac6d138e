/**
 * Durable receipt of verified deliveries, before the forge gets its 2xx answer.
 *
 * Group commit: deliveries arriving within a few milliseconds of each other (or while the
 * previous batch is being written) are stored together, with their `delivery` jobs, in one
 * `store.transaction`; each request resolves when its batch has committed. One commit then
 * carries many deliveries, so the cost of a commit is shared. At most one batch is written at a
 * time, so under load batches grow by themselves.
 *
 * A batch is written with multi-row statements (`deliveries.insertMany`, `jobs.enqueueMany`):
 * three statements per batch instead of three per delivery, which cut the service's CPU per
 * delivery by about a quarter (query building and compiling; see bench/webhooks.bench.ts).
 * A batch that fails (a database error) is retried one delivery per transaction, so one bad
 * delivery cannot fail the requests of the others.
 */
import type { JobInput, JobQueue } from '../jobs/interface.js';
import type { DeliveryReceiver, IncomingDelivery, Receipt } from '../services.js';
import type { DeliveryRecord, Store } from '../store/interface.js';

type TxStore = Store & { jobs: JobQueue };

export interface ReceiverOptions {
  store: Store;
  now: () => number;
  /** The job for a pending delivery (kind `delivery`, carrying the stored delivery's id). */
  jobFor: (delivery: DeliveryRecord) => JobInput;
  /** How long the first delivery of a batch waits for others; default 2 ms. */
  windowMs?: number;
  /** A batch this large is written at once; default 256. */
  maxBatch?: number;
  /**
   * Inside the batch's transaction: for each pending delivery, whether it still needs its job. One
   * that does not is stored with its final result (`ignored`) at once and gets no job.
   */
  needsJob?: (tx: TxStore, deliveries: readonly IncomingDelivery[]) => Promise<boolean[]>;
  /** Called after each committed batch with its size (metrics). */
  onBatch?: (size: number) => void;
}

interface Waiting {
  delivery: IncomingDelivery;
  receivedAt: number;
  resolve: (receipt: Receipt) => void;
  reject: (error: unknown) => void;
}

export function createDeliveryReceiver(options: ReceiverOptions): DeliveryReceiver {
  const { store, now, jobFor } = options;
  const windowMs = options.windowMs ?? 2;
  const maxBatch = options.maxBatch ?? 256;
  let waiting: Waiting[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The batch being written, if any; the next one starts when it ends. */
  let writing: Promise<void> | null = null;

  function schedule(): void {
    if (writing !== null || timer !== null) return;
    if (waiting.length >= maxBatch) {
      startWrite();
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      startWrite();
    }, windowMs);
  }

  function startWrite(): void {
    if (writing !== null || waiting.length === 0) return;
    const batch = waiting.slice(0, maxBatch);
    waiting = waiting.slice(batch.length);
    writing = writeBatch(batch).finally(() => {
      writing = null;
      if (waiting.length > 0) {
        // Deliveries that arrived during the write have waited long enough: write them now.
        if (timer !== null) clearTimeout(timer);
        timer = null;
        startWrite();
      }
    });
  }

  async function writeBatch(batch: Waiting[]): Promise<void> {
    let receipts: Receipt[];
    try {
      receipts = await store.transaction((tx) => storeAll(tx, batch));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const item of batch) {
        await store.transaction((tx) => storeAll(tx, [item])).then(([receipt]) => item.resolve(receipt!), item.reject);
      }
      return;
    }
    options.onBatch?.(batch.length);
    batch.forEach((item, index) => {
      item.resolve(receipts[index]!);
    });
  }

  /**
   * Three statements per batch, whatever its size: the deliveries (new ones tell themselves apart
   * from redeliveries), the jobs of the new pending ones, and the link from delivery to job.
   */
  async function storeAll(tx: TxStore, batch: Waiting[]): Promise<Receipt[]> {
    const pending = batch.filter((item) => item.delivery.result === 'pending');
    const needed =
      options.needsJob && pending.length > 0
        ? await options.needsJob(
            tx,
            pending.map((item) => item.delivery),
          )
        : [];
    const settled = new Set(pending.filter((_, index) => needed[index] === false));
    const stored = await tx.deliveries.insertMany(
      batch.map((item) => {
        const result = settled.has(item) ? 'ignored' : item.delivery.result;
        return {
          ...item.delivery,
          result,
          jobId: null,
          receivedAt: item.receivedAt,
          handledAt: result === 'pending' ? null : item.receivedAt,
        };
      }),
    );
    const receipts: Receipt[] = stored.map(({ delivery, created }) => ({
      status: created ? 'stored' : 'duplicate',
      delivery,
    }));
    const toEnqueue = receipts.filter(
      (receipt) => receipt.status === 'stored' && receipt.delivery.result === 'pending',
    );
    if (toEnqueue.length === 0) return receipts;
    const jobs = await tx.jobs.enqueueMany(toEnqueue.map((receipt) => jobFor(receipt.delivery)));
    await tx.deliveries.setJobIds(
      toEnqueue.map((receipt, index) => ({ id: receipt.delivery.id, jobId: jobs[index]!.id })),
    );
    toEnqueue.forEach((receipt, index) => {
      receipt.delivery = { ...receipt.delivery, jobId: jobs[index]!.id };
    });
    return receipts;
  }

  return {
    receive(delivery) {
      return new Promise<Receipt>((resolve, reject) => {
        waiting.push({ delivery, receivedAt: now(), resolve, reject });
        schedule();
      });
    },
  };
}
