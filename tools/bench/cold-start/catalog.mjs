// Every cold-start handler, what it stands for, and the peers it is compared with.
//
// `budget: true` marks our packages' handlers: tools/bench/budgets.json holds a budget for each, and
// check-budgets.mjs measures them. `group` puts a handler beside its peers in BENCHMARKS.md; the
// first handler of a group is ours, the rest are what a user would pick instead. `event` names the
// event the first invocation gets (see events() below), `services` the local AWS services that
// invocation talks to.

/** @typedef {{ id: string, label: string, group: string, ours: boolean, budget?: boolean, event: string, services?: string[] }} Handler */

/** @type {Handler[]} */
export const HANDLERS = [
  { id: 'baseline', label: 'no library (baseline)', group: 'baseline', ours: false, event: 'plain' },
  { id: 'middy-core', label: '@middy/core, no middleware', group: 'baseline', ours: false, event: 'plain' },

  { id: 'fleece-retry', label: '@fleece/retry', group: 'retry', ours: true, budget: true, event: 'plain' },
  { id: 'p-retry', label: 'p-retry 7', group: 'retry', ours: false, event: 'plain' },

  { id: 'fleece-log', label: '@fleece/log', group: 'log', ours: true, budget: true, event: 'plain' },
  { id: 'powertools-logger', label: 'Powertools Logger', group: 'log', ours: false, event: 'plain' },
  { id: 'powertools-logger-middy', label: 'Powertools Logger + middy', group: 'log', ours: false, event: 'plain' },
  { id: 'pino', label: 'pino', group: 'log', ours: false, event: 'plain' },

  { id: 'fleece-aws', label: '@fleece/aws (DynamoDB client)', group: 'aws', ours: true, budget: true, event: 'plain', services: ['dynamodb'] },
  { id: 'aws-sdk', label: 'plain AWS SDK DynamoDB client', group: 'aws', ours: false, event: 'plain', services: ['dynamodb'] },

  { id: 'fleece-http', label: '@fleece/http', group: 'http', ours: true, budget: true, event: 'plain', services: ['http'] },
  { id: 'got', label: 'raw got 14', group: 'http', ours: false, event: 'plain', services: ['http'] },

  { id: 'fleece-xray', label: '@fleece/xray', group: 'xray', ours: true, budget: true, event: 'plain', services: ['xray'] },
  { id: 'powertools-tracer', label: 'Powertools Tracer', group: 'xray', ours: false, event: 'plain', services: ['xray'] },
  { id: 'powertools-tracer-middy', label: 'Powertools Tracer + middy', group: 'xray', ours: false, event: 'plain', services: ['xray'] },

  { id: 'fleece-idempotency', label: '@fleece/idempotency', group: 'idempotency', ours: true, budget: true, event: 'api-post', services: ['dynamodb'] },
  { id: 'powertools-idempotency', label: 'Powertools idempotency', group: 'idempotency', ours: false, event: 'api-post', services: ['dynamodb'] },
  { id: 'powertools-idempotency-middy', label: 'Powertools idempotency + middy', group: 'idempotency', ours: false, event: 'api-post', services: ['dynamodb'] },

  { id: 'fleece-config-parameter', label: '@fleece/config getParameter', group: 'parameters', ours: true, budget: true, event: 'plain', services: ['ssm'] },
  { id: 'powertools-parameters', label: 'Powertools parameters (SSM)', group: 'parameters', ours: false, event: 'plain', services: ['ssm'] },

  { id: 'fleece-config-load', label: '@fleece/config loadConfig', group: 'config', ours: true, budget: true, event: 'plain', services: ['kms'] },

  { id: 'fleece-openapi', label: '@fleece/openapi', group: 'openapi', ours: true, budget: true, event: 'api-get' },

  { id: 'fleece-api-overflow', label: '@fleece/api-overflow (overflow)', group: 'api-overflow', ours: true, budget: true, event: 'api-get' },

  { id: 'fleece-cfn-handler', label: '@fleece/cfn-handler', group: 'cfn-handler', ours: true, budget: true, event: 'cfn-create', services: ['http'] },
  { id: 'cfn-response', label: 'hand-written (cfn-response style)', group: 'cfn-handler', ours: false, event: 'cfn-create', services: ['http'] },
];

/** Why a group has no peer, where none is installed. */
export const NO_PEER = {
  config: 'no installed peer decrypts a KMS-enveloped configuration file (the Python fleece did it per 4 KB chunk; see the config decrypt table)',
  openapi: 'no OpenAPI router is installed as a peer (Powertools event-handler and @middy/http-router are not dependencies here); read it against the baseline',
  'api-overflow': 'no library does this; read it against the baseline',
};

/**
 * How each bundle is built. Both sides of every comparison are bundled the same way, the ways users
 * deploy: the AWS SDK v3 left to the Lambda runtime's own copy (CDK's NodejsFunction leaves
 * `@aws-sdk/*` external by default, as does `fleece build`), or bundled in (AWS's advice for a
 * pinned SDK version).
 */
export const MODES = {
  'cjs-sdk-external': {
    label: 'CommonJS, AWS SDK from the runtime',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    description:
      'esbuild --bundle --minify --format=cjs --target=node20 --external:@aws-sdk/* (CDK NodejsFunction\'s default); the SDK loads from the copy the runtime provides (here the workspace\'s node_modules, for `require()` and `import()` alike)',
  },
  'esm-sdk-external': {
    label: 'ESM, AWS SDK from the runtime',
    format: 'esm',
    external: ['@aws-sdk/*'],
    description: 'the same as ESM (--format=esm, .mjs, with the createRequire banner bundled CommonJS code needs), what `fleece build` writes by default',
  },
  'cjs-bundled': {
    label: 'CommonJS, everything bundled',
    format: 'cjs',
    external: [],
    description: 'esbuild --bundle --minify --format=cjs --target=node20 with the AWS SDK bundled too',
  },
};

/** The budgets are kept for this mode: the most common deploy, and it measures what our packages add, not the SDK. */
export const BUDGET_MODE = 'cjs-sdk-external';


/**
 * The event of a first invocation, fresh per process (idempotency keys must not repeat).
 * @param {string} kind
 * @param {{ id: string, responseUrl: string }} vars
 */
export function eventOf(kind, vars) {
  switch (kind) {
    case 'plain':
      return { id: vars.id };
    case 'api-get':
    case 'api-post': {
      const post = kind === 'api-post';
      const path = post ? '/orders' : `/items/${vars.id}`;
      return {
        resource: post ? '/orders' : '/items/{id}',
        path,
        httpMethod: post ? 'POST' : 'GET',
        headers: { accept: 'application/json', ...(post ? { 'content-type': 'application/json', 'idempotency-key': vars.id } : {}) },
        multiValueHeaders: { accept: ['application/json'], ...(post ? { 'content-type': ['application/json'], 'idempotency-key': [vars.id] } : {}) },
        queryStringParameters: post ? null : { limit: '5' },
        multiValueQueryStringParameters: post ? null : { limit: ['5'] },
        pathParameters: post ? null : { id: vars.id },
        stageVariables: null,
        requestContext: { requestId: `api-${vars.id}`, stage: 'prod', path: `/prod${path}`, httpMethod: post ? 'POST' : 'GET', resourcePath: post ? '/orders' : '/items/{id}', identity: { sourceIp: '127.0.0.1' } },
        body: post ? JSON.stringify({ amount: 5 }) : null,
        isBase64Encoded: false,
      };
    }
    case 'cfn-create':
      return {
        RequestType: 'Create',
        ResponseURL: vars.responseUrl,
        StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/bench/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab',
        RequestId: `req-${vars.id}`,
        LogicalResourceId: 'Thing',
        ResourceType: 'Custom::Thing',
        ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:bench', Size: '21' },
      };
    default:
      throw new TypeError(`unknown event kind ${kind}`);
  }
}
