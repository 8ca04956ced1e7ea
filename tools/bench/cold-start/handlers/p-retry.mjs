// p-retry 7: the same call that fails once and succeeds, no delay.
import pRetry from 'p-retry';

export const handler = async (event) =>
  pRetry(
    async (attempt) => {
      if (attempt < 2) throw new Error('flaky');
      return { ok: true, id: event.id, attempt };
    },
    { retries: 3, minTimeout: 0 },
  );
