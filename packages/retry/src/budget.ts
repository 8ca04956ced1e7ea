import { checkCount, invalid } from './validate.js';

/** The size and prices of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Tokens when full. Default 500 (as the AWS SDK's retry quota). */
  capacity?: number;
  /** Tokens a retry takes. Default 5. */
  retryCost?: number;
  /** Tokens a success gives back. Default 1. */
  successRefill?: number;
}

/**
 * A token bucket that rations retries across every call that shares it (typically one per
 * process, passed in a {@link RetryPolicy}). Each retry takes tokens, each success puts some back.
 * When a dependency is down, retries drain the bucket and later calls fail after their first
 * attempt instead of multiplying the load on it; as calls succeed again, retries come back.
 */
export class RetryBudget {
  /** Tokens when full. */
  readonly capacity: number;
  /** Tokens a retry takes. */
  readonly retryCost: number;
  /** Tokens a success gives back. */
  readonly successRefill: number;
  #tokens: number;
  #denied = 0;

  constructor(options: RetryBudgetOptions = {}) {
    checkCount('capacity', options.capacity);
    checkCount('retryCost', options.retryCost);
    checkCount('successRefill', options.successRefill);
    this.capacity = options.capacity ?? 500;
    this.retryCost = options.retryCost ?? 5;
    this.successRefill = options.successRefill ?? 1;
    if (this.retryCost > this.capacity) invalid('retryCost', `<= capacity (${this.capacity})`, this.retryCost);
    this.#tokens = this.capacity;
  }

  /** Tokens left. */
  get available(): number {
    return this.#tokens;
  }

  /** How many retries were refused since this budget was made: observable, never silent. */
  get denied(): number {
    return this.#denied;
  }

  /** Takes the price of one retry; `false` (and nothing taken) when the bucket cannot pay. */
  tryAcquire(cost = this.retryCost): boolean {
    if (this.#tokens < cost) {
      this.#denied++;
      return false;
    }
    this.#tokens -= cost;
    return true;
  }

  /** Puts tokens back after a success, up to the capacity. */
  recordSuccess(refill = this.successRefill): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + refill);
  }
}
