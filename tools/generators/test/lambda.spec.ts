import type { Tree } from '@nx/devkit';
import { readJson, readProjectConfiguration } from '@nx/devkit';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { parse } from 'yaml';
import { checkHclModule } from './hcl.js';
import { emptyWorkspace, workspace } from './tree.js';

// The generator on an in-memory workspace shaped like this repository: npm workspaces, a base
// tsconfig with a source condition, the shared jest preset, and the @fleece packages.
const lambdaGenerator = require('../lambda/generator.cjs') as (tree: Tree, options: Record<string, unknown>) => Promise<() => void>;

const TRIGGERS = ['api', 'sqs', 'schedule', 'custom-resource'] as const;

function terraformOf(tree: Tree, root: string): Record<string, string> {
  const dir = `${root}/terraform`;
  return Object.fromEntries(
    tree
      .children(dir)
      .filter((file) => file.endsWith('.tf'))
      .map((file) => [file, tree.read(`${dir}/${file}`, 'utf8')!]),
  );
}

describe('nx g @fleece/tools:lambda', () => {
  it.each(TRIGGERS)('scaffolds a %s function: handler, test, build target, Terraform, workflow', async (trigger) => {
    const tree = workspace();
    const done = await lambdaGenerator(tree, { name: 'orders', trigger });
    const root = 'functions/orders';

    const project = readProjectConfiguration(tree, 'orders');
    expect(project).toMatchObject({ root, projectType: 'application', tags: ['layer:app'] });
    // The zip through fleece build, resolving workspace packages as the typecheck does.
    expect(project.targets?.['build']).toEqual({
      executor: 'nx:run-commands',
      outputs: ['{projectRoot}/dist'],
      options: { command: 'fleece build . --name orders --conditions @fleece/source', cwd: '{projectRoot}' },
    });

    const manifest = readJson(tree, `${root}/package.json`);
    const runtime = { api: '@fleece/openapi', sqs: '@fleece/idempotency', schedule: '@fleece/retry', 'custom-resource': '@fleece/cfn-handler' }[trigger];
    expect(manifest).toMatchObject({ name: '@fleece/orders', private: true, type: 'module' });
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@fleece/log', '@fleece/xray', runtime].sort());
    expect(manifest.dependencies['@fleece/log']).toBe('^0.3.2');
    expect(manifest.devDependencies).toMatchObject({ '@fleece/cli': '^0.1.0', '@fleece/testing': '^0.1.0', '@types/aws-lambda': '^8.10.164' });
    expect('@aws-sdk/client-dynamodb' in manifest.devDependencies).toBe(trigger === 'sqs');

    // The packages' layout: a solution tsconfig, lib and spec, referencing the sources they use.
    expect(readJson(tree, `${root}/tsconfig.json`)).toEqual({
      extends: '../../tsconfig.base.json',
      files: [],
      include: [],
      references: [{ path: './tsconfig.lib.json' }, { path: './tsconfig.spec.json' }],
    });
    const lib = readJson(tree, `${root}/tsconfig.lib.json`);
    const libOf = (names: string[]) => names.map((name) => `../../packages/${name}/tsconfig.lib.json`).sort();
    expect(lib).toMatchObject({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts'], compilerOptions: { rootDir: 'src', outDir: 'out-tsc/lib' } });
    // Every @fleece package it depends on, devDependencies too, as Nx's TypeScript sync wants.
    expect(lib.references.map((ref: { path: string }) => ref.path).sort()).toEqual(libOf(['cli', 'log', 'xray', runtime.slice('@fleece/'.length), 'testing']));
    const spec = readJson(tree, `${root}/tsconfig.spec.json`);
    expect(spec.compilerOptions.types).toEqual(['jest', 'node']);
    expect(spec.references.map((ref: { path: string }) => ref.path).sort()).toEqual(['./tsconfig.lib.json', ...libOf(['cli', 'log', 'xray', runtime.slice('@fleece/'.length), 'testing'])].sort());
    expect(tree.read(`${root}/jest.config.cjs`, 'utf8')).toBe("module.exports = { displayName: 'orders', preset: '../../jest.preset.js' };\n");

    const handler = tree.read(`${root}/src/handler.ts`, 'utf8')!;
    for (const pkg of Object.keys(manifest.dependencies)) expect(handler).toContain(`from '${pkg}'`);
    expect(handler).toContain('injectRequestIds(');
    expect(handler).toContain('traceHandler(');
    expect(handler).toContain("getLogger('orders')");
    expect(tree.read(`${root}/test/handler.spec.ts`, 'utf8')).toContain("from '@fleece/testing'");
    expect(tree.read(`${root}/README.md`, 'utf8')).toContain('npx nx run-many -t lint,typecheck,test,build -p orders');

    // Terraform: every reference declared, the function on Node 24, the trigger's resources.
    const terraform = terraformOf(tree, root);
    expect(Object.keys(terraform).sort()).toEqual(['main.tf', 'outputs.tf', `${trigger}.tf`, 'variables.tf', 'versions.tf'].sort());
    const module = checkHclModule(terraform);
    expect(module.problems).toEqual([]);
    // HashiCorp's own HCL parser reads every file; its JSON is Terraform's view of the blocks.
    const parsed = Object.fromEntries(await Promise.all(Object.entries(terraform).map(async ([file, text]) => [file, await parseHcl(file, text)] as const)));
    expect(parsed['main.tf']['resource']['aws_lambda_function']['function'][0]).toMatchObject({ runtime: 'nodejs24.x', handler: 'handler.handler', tracing_config: [{ mode: 'Active' }] });
    expect(Object.keys(parsed[`${trigger}.tf`]).length).toBeGreaterThan(0);
    expect(terraform['main.tf']).toContain('runtime          = "nodejs24.x"');
    expect(terraform['main.tf']).toContain('source_code_hash = filebase64sha256(local.package_path)');
    expect(terraform['main.tf']).toContain('"${path.module}/../dist/orders.zip"');
    expect(module.declarations).toEqual(expect.arrayContaining(['resource.aws_lambda_function.function', 'resource.aws_iam_role.function', 'resource.aws_cloudwatch_log_group.function', 'local.trigger_environment']));
    expect(terraform['main.tf']).toMatch(/retention_in_days = var\.log_retention_days/);
    if (trigger === 'sqs') {
      expect(module.declarations).toEqual(
        expect.arrayContaining([
          'resource.aws_sns_topic.events',
          'resource.aws_sns_topic_subscription.queue',
          'resource.aws_sqs_queue.queue',
          'resource.aws_sqs_queue.dead_letter',
          'resource.aws_lambda_event_source_mapping.queue',
          'resource.aws_dynamodb_table.idempotency',
        ]),
      );
      expect(terraform['sqs.tf']).toContain('filter_policy       = jsonencode(var.filter_policy)');
      expect(terraform['sqs.tf']).toContain('deadLetterTargetArn = aws_sqs_queue.dead_letter.arn');
    }
    // Least privilege: no wildcard resource but X-Ray's, which has no resource-level permissions.
    const wildcards = Object.values(terraform).flatMap((text) => text.split('\n').filter((line) => /resources\s*=\s*\[[^\]]*"\*"/.test(line)));
    expect(wildcards).toEqual(['    resources = ["*"] # X-Ray has no resource-level permissions']);

    // The workflow: nx affected, then terraform validate in the function's directory.
    const workflow = parse(tree.read('.github/workflows/orders.yml', 'utf8')!);
    const steps: { run?: string; 'working-directory'?: string; uses?: string }[] = workflow.jobs.check.steps;
    expect(steps.some((step) => step.run?.startsWith('npx nx affected -t lint,typecheck,test,build'))).toBe(true);
    const validate = steps.find((step) => step.run?.includes('terraform validate'));
    expect(validate).toMatchObject({ 'working-directory': `${root}/terraform` });
    expect(validate?.run).toContain('terraform init -backend=false');
    expect(steps.findIndex((step) => step.uses?.startsWith('hashicorp/setup-terraform'))).toBeLessThan(steps.indexOf(validate!));
    expect(workflow.on.pull_request.paths).toContain(`${root}/**`);

    // The workspace learns about it.
    expect(readJson(tree, 'tsconfig.json').references).toContainEqual({ path: `./${root}` });
    expect(readJson(tree, 'package.json').workspaces).toEqual(['packages/*', 'tools', 'functions/*']);
    expect(typeof done).toBe('function');
    // HashiCorp's parser is Go compiled to WebAssembly: its first start takes seconds on a busy machine.
  }, 120_000);

  it('honours --directory, --tags and --skipWorkflow, and adds no second workspaces pattern', async () => {
    const tree = workspace();
    await lambdaGenerator(tree, { name: 'nightly', trigger: 'schedule', directory: 'services/jobs/nightly', tags: 'layer:app, team:data', skipWorkflow: true });
    await lambdaGenerator(tree, { name: 'weekly', trigger: 'schedule', directory: 'services/jobs/weekly', skipWorkflow: true });
    expect(readProjectConfiguration(tree, 'nightly')).toMatchObject({ root: 'services/jobs/nightly', tags: ['layer:app', 'team:data'] });
    expect(readJson(tree, 'services/jobs/nightly/tsconfig.lib.json').extends).toBe('../../../tsconfig.base.json');
    expect(tree.exists('.github/workflows/nightly.yml')).toBe(false);
    expect(readJson(tree, 'package.json').workspaces).toEqual(['packages/*', 'tools', 'services/jobs/*']);
  });

  it('works in a workspace without the source condition, the preset or local packages', async () => {
    const tree = emptyWorkspace();
    tree.delete('tsconfig.base.json');
    await lambdaGenerator(tree, { name: 'plain' });
    expect(readProjectConfiguration(tree, 'plain').targets?.['build']?.options.command).toBe('fleece build . --name plain');
    const tsconfig = readJson(tree, 'functions/plain/tsconfig.lib.json');
    expect(tsconfig.extends).toBeUndefined();
    expect(tsconfig.compilerOptions).toMatchObject({ module: 'NodeNext', strict: true, composite: true });
    expect(tsconfig.references).toEqual([]);
    expect(readJson(tree, 'functions/plain/package.json').dependencies).toEqual({ '@fleece/log': '^0.1.0', '@fleece/openapi': '^0.1.0', '@fleece/xray': '^0.1.0' });
    expect(tree.read('functions/plain/jest.config.cjs', 'utf8')).toContain("'@swc/jest'");
  });

  it("names the package with the workspace's scope, or --scope, and without one when neither has one", async () => {
    const acme = workspace('@acme/platform');
    await lambdaGenerator(acme, { name: 'orders', skipWorkflow: true });
    expect(readJson(acme, 'functions/orders/package.json').name).toBe('@acme/orders');
    await lambdaGenerator(acme, { name: 'billing', scope: '@payments', skipWorkflow: true });
    expect(readJson(acme, 'functions/billing/package.json').name).toBe('@payments/billing');
    const unscoped = workspace('platform');
    await lambdaGenerator(unscoped, { name: 'orders', skipWorkflow: true });
    expect(readJson(unscoped, 'functions/orders/package.json').name).toBe('orders');
    for (const scope of ['acme', '@Acme', '@', '@a/b', '']) {
      await expect(lambdaGenerator(workspace(), { name: 'other', scope })).rejects.toThrow(`lambda: scope must be an npm scope such as @acme (lower case, starting with @); got ${JSON.stringify(scope)}`);
    }
    await expect(lambdaGenerator(workspace(), { name: 'other', iac: 'pulumi' })).rejects.toThrow('lambda: iac must be one of terraform, cdk; got "pulumi"');
  });

  it('refuses bad names, unknown triggers, taken places and directories outside the workspace', async () => {
    const tree = workspace();
    for (const name of ['Orders', '1st', 'a_b', 'trailing-', 'double--dash', 'x'.repeat(41), '']) {
      await expect(lambdaGenerator(tree, { name })).rejects.toThrow(/lambda: name must be lower-case letters/);
    }
    await expect(lambdaGenerator(tree, { name: 'orders', trigger: 'kinesis' })).rejects.toThrow('lambda: trigger must be one of api, sqs, schedule, custom-resource; got "kinesis"');
    await expect(lambdaGenerator(tree, { name: 'orders', directory: '../outside' })).rejects.toThrow('lambda: directory must be a path inside the workspace');
    await lambdaGenerator(tree, { name: 'orders' });
    await expect(lambdaGenerator(tree, { name: 'orders', directory: 'elsewhere/orders' })).rejects.toThrow('a project named "orders" exists already (in functions/orders)');
    await expect(lambdaGenerator(tree, { name: 'other', directory: 'functions/orders' })).rejects.toThrow('functions/orders exists already and is not empty');
    await expect(lambdaGenerator(tree, { name: 'log', directory: 'functions/log' })).rejects.toThrow('the package name @fleece/log is taken (by packages/log)');
  });
});
