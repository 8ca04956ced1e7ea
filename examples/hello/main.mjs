// A Lambda handler composed from the fleece packages, invoked locally against a flaky upstream
// on 127.0.0.1, printing what each package did. Run it with `npm start` from the repository root.
import { createServer } from 'node:http';
import { lambdaDeadline, retry, withDeadline } from '@fleece/retry';

/** An upstream that fails its first two requests with 503, then answers. */
function startFlakyUpstream() {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    if (requests <= 2) {
      res.writeHead(503).end('busy');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ greeting: 'hello from upstream' }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/`, requests: () => requests })));
}

/** The handler: fetch from the upstream with retries that never outlive the invocation. */
async function handler(event, context) {
  return withDeadline(lambdaDeadline(context, 500), () =>
    retry(
      async (attempt) => {
        const response = await fetch(event.url);
        if (response.status >= 500) throw new Error(`upstream answered ${response.status} on attempt ${attempt}`);
        return { statusCode: 200, body: await response.text() };
      },
      { retries: 4, base: 50, onRetry: ({ attempt, delayMs, error }) => console.log(`  retry: attempt ${attempt} failed (${error.message}); waiting ${Math.round(delayMs)} ms`) },
    ),
  );
}

/** A Lambda-like context with 3 s to run. */
function context(timeoutMs) {
  const end = Date.now() + timeoutMs;
  return { awsRequestId: 'local-1', getRemainingTimeInMillis: () => end - Date.now() };
}

const upstream = await startFlakyUpstream();
try {
  console.log('@fleece/retry: calling a flaky upstream inside a 3 s invocation');
  const result = await handler({ url: upstream.url }, context(3000));
  console.log(`  answered ${result.statusCode} ${result.body} after ${upstream.requests()} requests`);

} finally {
  upstream.server.close();
}
