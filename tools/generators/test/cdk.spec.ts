import type { Tree } from '@nx/devkit';
import { readJson, readProjectConfiguration } from '@nx/devkit';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { filesUnder, workspace } from './tree.js';

// `--iac cdk`: the generated cdk/app.ts, written to disk inside this repository (so aws-cdk-lib
// resolves from its node_modules), synthesized offline, and the CloudFormation template's
// resources checked: the same role, log group, trigger and DLQ as the Terraform variant. The sqs
// function (the most resources) goes through the real `cdk synth`, as its synth target and
// workflow run it; the other three run their app the way `cdk synth` does (CDK_OUTDIR set), which
// spares three boots of the CLI. All four synthesize side by side.

const lambdaGenerator = require('../lambda/generator.cjs') as (tree: Tree, options: Record<string, unknown>) => Promise<() => void>;
const exec = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const TRIGGERS = ['api', 'sqs', 'schedule', 'custom-resource'] as const;

/**
 * A Node that runs cdk/app.ts as it is (type stripping: 22.6 and later): this one, or on an older
 * machine Node 22 from the cache tools/ci fills (`node tools/ci/pack-check.mjs` fetches it).
 */
function nodeWithTypeStripping(): string | undefined {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const cached = join(process.env['FLEECE_NODE_CACHE'] ?? join(homedir(), '.cache', 'fleece-node'), '22', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
  return existsSync(cached) ? cached : undefined;
}

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

let scratch: string;
const templates = new Map<string, Template>();
const trees = new Map<string, Tree>();

beforeAll(async () => {
  const node = nodeWithTypeStripping();
  if (!node) throw new Error('cdk synth needs Node 22.6 or later to run cdk/app.ts: run on Node 22, or fetch it once with node tools/ci/pack-check.mjs');
  await mkdir(join(repo, 'tmp'), { recursive: true });
  scratch = await mkdtemp(join(repo, 'tmp', 'generator-cdk-'));
  await Promise.all(
    TRIGGERS.map(async (trigger) => {
      const tree = workspace();
      const name = `fn-${trigger}`;
      await lambdaGenerator(tree, { name, trigger, iac: 'cdk', skipFormat: true });
      trees.set(trigger, tree);
      const dir = join(scratch, name);
      for (const [path, content] of filesUnder(tree, `functions/${name}`)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      // The asset cdk synth stages: any bytes do, synth does not open the zip.
      await mkdir(join(dir, 'dist'), { recursive: true });
      await writeFile(join(dir, 'dist', `${name}.zip`), 'PK\x05\x06' + '\0'.repeat(18));
      // Offline: no account, no region lookups, no telemetry; `node` in cdk.json is the one above.
      const env = { ...process.env, PATH: `${dirname(node)}:${process.env['PATH']}`, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
      if (trigger === 'sqs') {
        await exec(process.execPath, [join(repo, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '--no-notices', '--no-version-reporting'], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
      } else {
        const app = JSON.parse(await readFile(join(dir, 'cdk.json'), 'utf8')).app.split(' ') as string[];
        expect(app[0]).toBe('node');
        await exec(node, app.slice(1), { cwd: dir, env: { ...env, CDK_OUTDIR: join(dir, 'cdk.out') }, maxBuffer: 16 * 1024 * 1024 });
      }
      const className = name.replace(/(^|-)([a-z])/g, (_, _dash, letter: string) => letter.toUpperCase());
      templates.set(trigger, JSON.parse(await readFile(join(dir, 'cdk.out', `${className}-dev.template.json`), 'utf8')));
    }),
  );
  // About 30 s on an idle 2-core machine; far longer when other work shares the cores.
}, 600_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function ofType(template: Template, type: string): Resource[] {
  return Object.values(template.Resources).filter((resource) => resource.Type === type);
}

describe('nx g @fleece/tools:lambda --iac cdk', () => {
  it.each(TRIGGERS)('%s: cdk/app.ts synthesizes the function, its role, log group and trigger', (trigger) => {
    const name = `fn-${trigger}`;
    const template = templates.get(trigger)!;
    const [fn] = ofType(template, 'AWS::Lambda::Function');
    expect(ofType(template, 'AWS::Lambda::Function')).toHaveLength(1);
    expect(fn!.Properties).toMatchObject({ FunctionName: `${name}-dev`, Runtime: 'nodejs24.x', Handler: 'handler.handler', Architectures: ['arm64'], MemorySize: 256, Timeout: 30, TracingConfig: { Mode: 'Active' } });
    expect((fn!.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', LOG_LEVEL: 'info' });
    // The zip of fleece build, as an asset: no bundling at synth.
    expect(fn!.Properties['Code']).toMatchObject({ S3Key: expect.stringMatching(/\.zip$/) });
    expect(ofType(template, 'AWS::Logs::LogGroup').map((group) => group.Properties)).toContainEqual({ LogGroupName: `/aws/lambda/${name}-dev`, RetentionInDays: 30 });
    expect(ofType(template, 'AWS::IAM::Role').map((role) => role.Properties['RoleName'])).toContain(`${name}-dev`);
    // Least privilege: the only wildcard resource is X-Ray's.
    const statements = ofType(template, 'AWS::IAM::Policy').flatMap((policy) => (policy.Properties['PolicyDocument'] as { Statement: { Resource: unknown; Action: unknown }[] }).Statement);
    expect(statements.filter((statement) => statement.Resource === '*').map((statement) => statement.Action)).toEqual([['xray:PutTraceSegments', 'xray:PutTelemetryRecords']]);

    const types = new Set(Object.values(template.Resources).map((resource) => resource.Type));
    if (trigger === 'api') {
      for (const type of ['AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Stage', 'AWS::Lambda::Permission']) expect(types).toContain(type);
      const [stage] = ofType(template, 'AWS::ApiGatewayV2::Stage');
      expect(stage!.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }, AccessLogSettings: { Format: expect.stringContaining('$context.requestId') } });
      expect(template.Outputs).toHaveProperty('ApiUrl');
    }
    if (trigger === 'sqs') {
      const queues = ofType(template, 'AWS::SQS::Queue').map((queue) => queue.Properties);
      expect(queues).toContainEqual(expect.objectContaining({ QueueName: `${name}-dev-dlq`, MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true }));
      expect(queues).toContainEqual(expect.objectContaining({ QueueName: `${name}-dev`, VisibilityTimeout: 180, RedrivePolicy: expect.objectContaining({ maxReceiveCount: 5 }) }));
      expect(ofType(template, 'AWS::SNS::Subscription')[0]!.Properties).toMatchObject({ Protocol: 'sqs', FilterPolicy: { event_type: [name] } });
      expect(ofType(template, 'AWS::Lambda::EventSourceMapping')[0]!.Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 10 } });
      expect(ofType(template, 'AWS::DynamoDB::Table')[0]!.Properties).toMatchObject({ TableName: `${name}-dev-idempotency`, BillingMode: 'PAY_PER_REQUEST', TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } });
      expect(types).toContain('AWS::SNS::Topic');
      expect(types).toContain('AWS::SQS::QueuePolicy');
    }
    if (trigger === 'schedule') {
      expect(ofType(template, 'AWS::Events::Rule')[0]!.Properties).toMatchObject({ Name: `${name}-dev`, ScheduleExpression: 'rate(5 minutes)' });
      expect(ofType(template, 'AWS::Lambda::EventInvokeConfig')[0]!.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      expect(types).toContain('AWS::Lambda::Permission');
    }
    if (trigger === 'custom-resource') expect(template.Outputs).toHaveProperty('ServiceToken');
  });

  it('declares the CDK packages, a synth target after the build, and synthesizes in its workflow', () => {
    const tree = trees.get('sqs')!;
    const root = 'functions/fn-sqs';
    expect(readJson(tree, `${root}/package.json`).devDependencies).toMatchObject({ 'aws-cdk': '2.1149.0', 'aws-cdk-lib': '2.278.0', constructs: '10.8.1' });
    expect(readProjectConfiguration(tree, 'fn-sqs').targets?.['synth']).toMatchObject({ dependsOn: ['build'], options: { command: 'cdk synth --quiet --no-notices', cwd: '{projectRoot}' } });
    expect(tree.exists(`${root}/terraform`)).toBe(false);
    const workflow = tree.read('.github/workflows/fn-sqs.yml', 'utf8')!;
    expect(workflow).toContain('npx nx run fn-sqs:synth');
    expect(workflow).not.toContain('terraform');
    expect(tree.read(`${root}/README.md`, 'utf8')).toContain('npx cdk deploy');
  });
});
