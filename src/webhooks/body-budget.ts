/**
 * The bytes all unverified webhook bodies may hold at once in one process. A request reserves
 * what it reads (its declared length up front when it has one) and gives it back once its
 * signature is checked; a request that does not fit is answered 503 at once, so a flood of
 * unsigned bodies costs at most the budget in memory.
 */
export interface ByteBudget {
  /** Reserves `bytes`; false (nothing reserved) when they do not fit. */
  tryReserve(bytes: number): boolean;
  release(bytes: number): void;
  readonly used: number;
}

export function createByteBudget(limit: number): ByteBudget {
  let used = 0;
  return {
    tryReserve(bytes) {
      if (used + bytes > limit) return false;
      used += bytes;
      return true;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
    get used() {
      return used;
    },
  };
}
