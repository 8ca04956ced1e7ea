// @ts-check
// `nx g @fleece/tools:lambda <name> [--trigger api|sqs|schedule|custom-resource] [--iac terraform|cdk]
//   [--scope @acme] [--directory DIR]`
//
// CommonJS on purpose: Nx loads a generator's factory with require() (a .ts factory needs
// @swc-node/register or ts-node, which this workspace does not install), and tools/package.json is
// "type": "module", so the .cjs extension is what keeps this file CommonJS.
const { addProjectConfiguration, formatFiles, generateFiles, getProjects, joinPathFragments, logger, names, offsetFromRoot, readJson, updateJson, writeJson } = require('@nx/devkit');
const path = require('node:path');

const TRIGGERS = ['api', 'sqs', 'schedule', 'custom-resource'];
const IACS = ['terraform', 'cdk'];

/** The @fleece packages each trigger's handler imports (its test adds @fleece/testing). */
const RUNTIME_PACKAGES = {
  api: ['@fleece/log', '@fleece/xray', '@fleece/openapi'],
  sqs: ['@fleece/log', '@fleece/xray', '@fleece/idempotency'],
  schedule: ['@fleece/log', '@fleece/xray', '@fleece/retry'],
  'custom-resource': ['@fleece/log', '@fleece/xray', '@fleece/cfn-handler'],
};

/** Third-party packages the project declares, with the range used when the workspace root names none. */
const THIRD_PARTY = {
  '@types/aws-lambda': '^8.10.0',
  '@aws-sdk/client-dynamodb': '^3.700.0',
  'aws-cdk': '^2.1100.0',
  'aws-cdk-lib': '^2.220.0',
  constructs: '^10.4.0',
};

/**
 * @typedef {object} Schema
 * @property {string} name
 * @property {'api' | 'sqs' | 'schedule' | 'custom-resource'} [trigger]
 * @property {'terraform' | 'cdk'} [iac]
 * @property {string} [scope]
 * @property {string} [directory]
 * @property {string} [tags]
 * @property {boolean} [skipWorkflow]
 * @property {boolean} [skipFormat]
 */

/**
 * Checks the options and fills in the defaults.
 * @param {import('@nx/devkit').Tree} tree
 * @param {Schema} options
 */
function normalize(tree, options) {
  const name = options.name;
  if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name) || name.length > 40 || name.endsWith('-') || name.includes('--')) {
    throw new Error(`lambda: name must be lower-case letters, digits and single dashes, starting with a letter, at most 40 characters (it names the AWS resources); got ${JSON.stringify(name)}`);
  }
  const trigger = options.trigger ?? 'api';
  if (!TRIGGERS.includes(trigger)) throw new Error(`lambda: trigger must be one of ${TRIGGERS.join(', ')}; got ${JSON.stringify(trigger)}`);
  const iac = options.iac ?? 'terraform';
  if (!IACS.includes(iac)) throw new Error(`lambda: iac must be one of ${IACS.join(', ')}; got ${JSON.stringify(iac)}`);
  if (options.scope !== undefined && (typeof options.scope !== 'string' || !/^@[a-z0-9][a-z0-9._~-]*$/.test(options.scope))) {
    throw new Error(`lambda: scope must be an npm scope such as @acme (lower case, starting with @); got ${JSON.stringify(options.scope)}`);
  }
  const projectRoot = joinPathFragments(options.directory ?? `functions/${name}`);
  if (projectRoot === '' || projectRoot === '.' || projectRoot.startsWith('..') || path.isAbsolute(projectRoot)) {
    throw new Error(`lambda: directory must be a path inside the workspace; got ${JSON.stringify(options.directory)}`);
  }
  if (tree.exists(projectRoot) && tree.children(projectRoot).length > 0) throw new Error(`lambda: ${projectRoot} exists already and is not empty`);
  const existing = getProjects(tree);
  if (existing.has(name)) throw new Error(`lambda: a project named "${name}" exists already (in ${existing.get(name)?.root})`);
  const tags = (options.tags ?? 'layer:app')
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  return { name, trigger, iac, scope: options.scope, projectRoot, tags, skipWorkflow: options.skipWorkflow ?? false, skipFormat: options.skipFormat ?? false };
}

/**
 * The workspace's package.json files by package name, from its npm workspaces patterns
 * (`dir/*` and plain directories), to version and reference the local @fleece packages.
 * @param {import('@nx/devkit').Tree} tree
 * @returns {Map<string, { root: string, version: string }>}
 */
function workspacePackages(tree) {
  const found = new Map();
  const root = tree.exists('package.json') ? readJson(tree, 'package.json') : {};
  const patterns = Array.isArray(root.workspaces) ? root.workspaces : (root.workspaces?.packages ?? []);
  for (const pattern of patterns) {
    const dirs = pattern.endsWith('/*') ? tree.children(pattern.slice(0, -2)).map((child) => joinPathFragments(pattern.slice(0, -2), child)) : [pattern];
    for (const dir of dirs) {
      const manifest = joinPathFragments(dir, 'package.json');
      if (!tree.exists(manifest)) continue;
      const { name, version } = readJson(tree, manifest);
      if (typeof name === 'string') found.set(name, { root: dir, version: typeof version === 'string' ? version : '0.0.0' });
    }
  }
  return found;
}

/** A caret range on a package's version, `^0.1.0`. @param {string} version */
function caret(version) {
  const plain = /^\d+\.\d+\.\d+/.exec(version)?.[0];
  return plain ? `^${plain}` : version;
}

/**
 * The version range to declare for a third-party package: the workspace root's, else a default.
 * @param {import('@nx/devkit').Tree} tree
 * @param {keyof typeof THIRD_PARTY} name
 */
function rootRange(tree, name) {
  const root = tree.exists('package.json') ? readJson(tree, 'package.json') : {};
  return root.devDependencies?.[name] ?? root.dependencies?.[name] ?? THIRD_PARTY[name];
}

/**
 * The workspace's TypeScript setup: the base tsconfig (if any) and the custom export conditions
 * it resolves workspace packages with (e.g. `@fleece/source`), which `fleece build` must use too.
 * @param {import('@nx/devkit').Tree} tree
 */
function typescriptSetup(tree) {
  const base = ['tsconfig.base.json', 'tsconfig.json'].find((file) => tree.exists(file) && readJson(tree, file).compilerOptions);
  const conditions = base ? (readJson(tree, base).compilerOptions.customConditions ?? []) : [];
  return { base, conditions: conditions.filter((/** @type {unknown} */ c) => typeof c === 'string') };
}

/** @param {string} arg */
function shellWord(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * @param {import('@nx/devkit').Tree} tree
 * @param {Schema} schema
 */
async function lambdaGenerator(tree, schema) {
  const options = normalize(tree, schema);
  const { name, trigger, iac, projectRoot } = options;
  const offset = offsetFromRoot(projectRoot);
  const local = workspacePackages(tree);
  const ts = typescriptSetup(tree);
  const rootManifest = tree.exists('package.json') ? readJson(tree, 'package.json') : {};
  // The workspace's own scope (its root package.json's name, e.g. @acme/source), or --scope.
  const scope = options.scope ?? /^(@[^/]+)\//.exec(rootManifest.name ?? '')?.[1];
  const packageName = scope ? `${scope}/${name}` : name;
  if (local.has(packageName)) throw new Error(`lambda: the package name ${packageName} is taken (by ${local.get(packageName)?.root})`);

  const fleeceRange = (/** @type {string} */ pkg) => caret(local.get(pkg)?.version ?? '0.1.0');
  const runtime = RUNTIME_PACKAGES[trigger];
  const dependencies = Object.fromEntries(runtime.map((pkg) => [pkg, fleeceRange(pkg)]));
  const devDependencies = {
    '@fleece/cli': fleeceRange('@fleece/cli'),
    '@fleece/testing': fleeceRange('@fleece/testing'),
    '@types/aws-lambda': rootRange(tree, '@types/aws-lambda'),
    // The Lambda runtime has the AWS SDK (fleece build leaves it out); tests need their own.
    ...(trigger === 'sqs' && { '@aws-sdk/client-dynamodb': rootRange(tree, '@aws-sdk/client-dynamodb') }),
    ...(iac === 'cdk' && { 'aws-cdk': rootRange(tree, 'aws-cdk'), 'aws-cdk-lib': rootRange(tree, 'aws-cdk-lib'), constructs: rootRange(tree, 'constructs') }),
  };

  const buildArgs = ['fleece', 'build', '.', '--name', name, ...ts.conditions.flatMap((condition) => ['--conditions', condition])];
  addProjectConfiguration(tree, name, {
    root: projectRoot,
    sourceRoot: `${projectRoot}/src`,
    projectType: 'application',
    tags: options.tags,
    targets: {
      build: {
        executor: 'nx:run-commands',
        outputs: [`{projectRoot}/dist`],
        options: { command: buildArgs.map(shellWord).join(' '), cwd: '{projectRoot}' },
      },
      // The CloudFormation template of cdk/app.ts, from the zip the build made (offline: no account needed).
      ...(iac === 'cdk' && {
        synth: {
          executor: 'nx:run-commands',
          dependsOn: ['build'],
          outputs: ['{projectRoot}/cdk.out'],
          options: { command: 'cdk synth --quiet --no-notices', cwd: '{projectRoot}' },
        },
      }),
    },
  });

  writeJson(tree, joinPathFragments(projectRoot, 'package.json'), {
    name: packageName,
    version: '0.0.0',
    private: true,
    description: `The ${name} Lambda function (${trigger}).`,
    type: 'module',
    dependencies: sortKeys(dependencies),
    devDependencies: sortKeys(devDependencies),
  });

  // The same three tsconfigs as the workspace's packages. Workspace packages are type-checked from
  // their sources through project references, exactly as Nx's TypeScript sync writes them: every
  // @fleece package the project depends on (devDependencies too), in lib and spec alike.
  const fleeceDeps = Object.keys({ ...dependencies, ...devDependencies })
    .filter((pkg) => pkg.startsWith('@fleece/'))
    .sort();
  const libOf = (/** @type {string} */ pkg) => {
    const found = local.get(pkg);
    return found && tree.exists(joinPathFragments(found.root, 'tsconfig.lib.json')) ? [{ path: `${offset}${found.root}/tsconfig.lib.json` }] : [];
  };
  const extendsBase = ts.base ? { extends: `${offset}${ts.base}` } : {};
  const standalone = ts.base ? {} : { target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, composite: true, declaration: true, emitDeclarationOnly: true, skipLibCheck: true, esModuleInterop: true, types: ['node'] };
  writeJson(tree, joinPathFragments(projectRoot, 'tsconfig.json'), {
    ...extendsBase,
    files: [],
    include: [],
    references: [{ path: './tsconfig.lib.json' }, { path: './tsconfig.spec.json' }],
  });
  writeJson(tree, joinPathFragments(projectRoot, 'tsconfig.lib.json'), {
    ...extendsBase,
    compilerOptions: { ...standalone, rootDir: 'src', outDir: 'out-tsc/lib', tsBuildInfoFile: 'out-tsc/lib/tsconfig.lib.tsbuildinfo' },
    include: ['src/**/*.ts'],
    exclude: ['src/**/*.spec.ts'],
    references: fleeceDeps.flatMap(libOf),
  });
  writeJson(tree, joinPathFragments(projectRoot, 'tsconfig.spec.json'), {
    ...extendsBase,
    compilerOptions: { ...standalone, outDir: 'out-tsc/spec', tsBuildInfoFile: 'out-tsc/spec/tsconfig.spec.tsbuildinfo', types: ['jest', 'node'] },
    include: ['test/**/*.ts', 'src/**/*.spec.ts'],
    references: [{ path: './tsconfig.lib.json' }, ...fleeceDeps.flatMap(libOf)],
  });

  const substitutions = {
    name,
    trigger,
    iac,
    projectRoot,
    offset,
    className: names(name).className,
    constantName: names(name).constantName,
    preset: tree.exists('jest.preset.js') ? `${offset}jest.preset.js` : undefined,
    tmpl: '',
  };
  generateFiles(tree, path.join(__dirname, 'files', 'common'), projectRoot, substitutions);
  generateFiles(tree, path.join(__dirname, 'files', trigger), projectRoot, substitutions);
  if (iac === 'terraform') {
    generateFiles(tree, path.join(__dirname, 'iac', 'terraform', 'common'), projectRoot, substitutions);
    generateFiles(tree, path.join(__dirname, 'iac', 'terraform', trigger), projectRoot, substitutions);
  } else {
    generateFiles(tree, path.join(__dirname, 'iac', 'cdk'), projectRoot, substitutions);
  }
  if (!options.skipWorkflow) generateFiles(tree, path.join(__dirname, 'workflow'), '.', substitutions);

  if (tree.exists('tsconfig.json')) {
    updateJson(tree, 'tsconfig.json', (json) => {
      if (Array.isArray(json.references) && !json.references.some((/** @type {{ path: string }} */ ref) => path.posix.normalize(ref.path) === projectRoot)) {
        json.references.push({ path: `./${projectRoot}` });
      }
      return json;
    });
  }
  const parent = path.posix.dirname(projectRoot);
  if (tree.exists('package.json')) {
    updateJson(tree, 'package.json', (json) => {
      const list = Array.isArray(json.workspaces) ? json.workspaces : json.workspaces?.packages;
      const covered = !Array.isArray(list) || list.some((/** @type {string} */ pattern) => pattern === projectRoot || pattern === `${parent}/*`);
      if (!covered) list.push(parent === '.' ? projectRoot : `${parent}/*`);
      return json;
    });
  }

  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    logger.info(`Created ${projectRoot} (${trigger}, ${iac}). Run "npm install" to link it, then: npx nx run-many -t lint,typecheck,test,build -p ${name}`);
  };
}

/** @param {Record<string, string>} object */
function sortKeys(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

module.exports = lambdaGenerator;
module.exports.default = lambdaGenerator;
module.exports.lambdaGenerator = lambdaGenerator;
