import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { sleep } from '@fleece/retry';
import { lambdaContext, startLocalAws, type LocalAws } from '@fleece/testing';
import { createIdempotencyTable, DynamoDBPersistence, idempotent } from '../src/index.js';

// Issue 16, item 5: with onInProgress 'wait', 50 duplicates of a 2 s function all get the one
// stored result, in one process and across processes.

const run = promisify(execFile);
let aws: LocalAws;
let dir: string;
let tables = 0;

beforeAll(async () => {
  aws = await startLocalAws({ services: ['dynamodb'] });
  dir = mkdtempSync(join(tmpdir(), 'fleece-idempotency-wait-'));
});

afterAll(async () => {
  await aws.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function freshTable() {
  const tableName = `wait-${++tables}`;
  await createIdempotencyTable({ tableName, clientConfig: aws.clientConfig('dynamodb') });
  aws.resetRequests();
  return { tableName, persistence: new DynamoDBPersistence({ tableName, clientConfig: aws.clientConfig('dynamodb') }) };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const reads = () => aws.requests('dynamodb').filter((r) => r.operation === 'GetItem').length;

describe("onInProgress: 'wait'", () => {
  it('polls up to the deadline instead of giving up when the next delay would cross it', async () => {
    // The clock stops 400 ms before the waiters' deadline while the 2 s function still runs: the
    // result is stored in their last second. A waiter whose next drawn delay (up to 1000 ms) is
    // longer than what is left must still poll once more before the deadline, not give up.
    const { persistence } = await freshTable();
    const clock = { now: Date.now() };
    let runs = 0;
    let waiting = 0;
    const started = deferred();
    const handler = idempotent(
      async (event: { id: string }) => {
        runs++;
        await started.promise;
        await sleep(2000);
        return { id: event.id, run: runs };
      },
      {
        persistence,
        key: 'id',
        onInProgress: 'wait',
        clock: () => clock.now,
        waitPolicy: {
          onRetry: ({ attempt }) => {
            if (attempt !== 1 || ++waiting !== 49) return;
            clock.now += 2600;
            started.resolve();
          },
        },
      },
    );
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => handler({ id: 'k' }, lambdaContext({ now: () => clock.now, timeoutMs: 3000 }))),
    );
    expect(runs).toBe(1);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const result of results) expect(result).toEqual({ status: 'fulfilled', value: { id: 'k', run: 1 } });
  }, 60_000);

  it('gives up with the in-progress error once only the reserve for a last poll is left', async () => {
    const { persistence } = await freshTable();
    const clock = { now: Date.now() };
    const release = deferred();
    const handler = idempotent(
      async () => {
        await release.promise;
        return 'done';
      },
      { persistence, key: 'id', onInProgress: 'wait', clock: () => clock.now, waitPolicy: { onRetry: () => (clock.now += 1000) } },
    );
    const owner = handler({ id: 'k' }, lambdaContext({ now: () => clock.now, timeoutMs: 60_000 }));
    await sleep(50);
    const waiter = handler({ id: 'k' }, lambdaContext({ now: () => clock.now, timeoutMs: 3000 })).catch((e: unknown) => e);
    await expect(waiter).resolves.toMatchObject({ name: 'IdempotencyAlreadyInProgressError' });
    release.resolve();
    await expect(owner).resolves.toBe('done');
  }, 30_000);

  it('50 duplicates of a 2 s function in one process all return the one stored result', async () => {
    const { persistence } = await freshTable();
    let runs = 0;
    const handler = idempotent(
      async (event: { id: string }) => {
        runs++;
        await sleep(2000);
        return { id: event.id, run: runs };
      },
      { persistence, key: 'id', onInProgress: 'wait' },
    );
    const startedAt = Date.now();
    // A 15 s invocation timeout: generous for a loaded 2-core machine, and it ends every waiter
    // before the test's own timeout.
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => handler({ id: 'k' }, lambdaContext({ timeoutMs: 15_000 }))),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    expect(runs).toBe(1);
    for (const result of results) expect(result).toEqual({ status: 'fulfilled', value: { id: 'k', run: 1 } });
    // The README's figure: at most 2 reads per waiter per second once the waits reach the cap,
    // and at most 6 in the first second (a generous bound, as the wall time includes load).
    expect(reads() / 49).toBeLessThanOrEqual(6 + 2 * seconds);
  }, 60_000);

  it('50 duplicates of a 2 s function across 5 processes all return the one stored result', async () => {
    const { tableName } = await freshTable();
    const child = join(dir, 'wait-child.cjs');
    buildSync({
      entryPoints: [join(__dirname, 'fixtures', 'wait-child.ts')],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      conditions: ['@fleece/source'],
      outfile: child,
      logLevel: 'silent',
    });
    const config = JSON.stringify(aws.clientConfig('dynamodb'));
    const outputs = await Promise.all(
      Array.from({ length: 5 }, () =>
        run(process.execPath, [child, config, tableName, '10'], { env: { PATH: process.env['PATH'] ?? '' }, timeout: 50_000 }),
      ),
    );
    const results = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as unknown[]);
    expect(results).toHaveLength(50);
    const first = results[0] as { ranIn: number; run: string };
    expect(first.run).toEqual(expect.any(String));
    for (const result of results) expect(result).toEqual(first);
  }, 60_000);
});
