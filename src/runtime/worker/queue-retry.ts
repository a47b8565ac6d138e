/**
 * When the Queue redelivers a wake-up whose consumer failed (the object could not run the jobs):
 * 10 s, doubled per attempt, at most 5 minutes; after wrangler.toml's `max_retries` the message
 * goes to the dead-letter queue. The jobs themselves keep their own backoff in the job table.
 */
import type { WakeMessage } from './env.js';

const FIRST_DELAY_SECONDS = 10;
const MAX_DELAY_SECONDS = 300;

/** The delay for retrying `batch`, by its most tried message. */
export function retryDelaySeconds(batch: Pick<MessageBatch<WakeMessage>, 'messages'>): number {
  const attempts = Math.max(1, ...batch.messages.map((message) => message.attempts));
  return Math.min(FIRST_DELAY_SECONDS * 2 ** Math.min(attempts - 1, 16), MAX_DELAY_SECONDS);
}
