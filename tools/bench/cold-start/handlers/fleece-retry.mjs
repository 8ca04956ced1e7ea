// @fleece/retry: a call that fails once and succeeds, inside the invocation's deadline.
import { lambdaDeadline, retry, withDeadline } from '@fleece/retry';

export const handler = async (event, context) =>
  withDeadline(lambdaDeadline(context, 500), () =>
    retry(
      async (attempt) => {
        if (attempt < 2) throw new Error('flaky');
        return { ok: true, id: event.id, attempt };
      },
      { retries: 3, base: 0, cap: 0 },
    ),
  );
