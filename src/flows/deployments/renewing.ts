/** Keeping a claim alive (a lease, a held-back job) while work runs: renewed every `everyMs`. */
export async function whileRenewing<T>(
  everyMs: number,
  renew: () => Promise<unknown>,
  onError: (error: unknown) => void,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    renew().catch(onError);
  }, everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
