#!/usr/bin/env node
// Publish rehearsal: starts verdaccio on 127.0.0.1, publishes every package's tarball to it,
// installs them all into a clean project from that registry (other dependencies are proxied to
// the public registry), loads each with import and require, and stops verdaccio.
//   node tools/ci/publish-rehearsal.mjs [--only retry,log]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { emptyProject, loadBothWays, npm, packAll, publishablePackages, root, tempDir } from './workspace.mjs';

const work = tempDir('publish');
const port = await freePort();
const registry = `http://127.0.0.1:${port}/`;
const upstream = process.env.npm_config_registry ?? 'https://registry.npmjs.org/';

writeFileSync(
  join(work, 'config.yaml'),
  [
    `storage: ${join(work, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(work, 'htpasswd')}`,
    'uplinks:',
    '  upstream:',
    `    url: ${upstream}`,
    '    timeout: 60s',
    'packages:',
    "  '@fleece/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    proxy: upstream',
    'log: { type: stdout, format: pretty, level: error }',
    '',
  ].join('\n'),
);

const verdaccio = spawn(process.execPath, [join(root, 'node_modules/verdaccio/bin/verdaccio'), '--config', join(work, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
let failed = 0;
let passed = 0;
try {
  await waitForRegistry(registry);
  const token = await createUser(registry);
  const npmrc = join(work, '.npmrc');
  writeFileSync(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  const env = { npm_config_userconfig: npmrc, npm_config_registry: registry };

  const tarballs = packAll(publishablePackages(), work);
  for (const [name, tarball] of tarballs) {
    npm(['publish', tarball, '--registry', registry, '--tag', 'rehearsal'], work, env);
    console.log(`published ${name}`);
  }
  const project = join(work, 'consumer');
  emptyProject(project);
  const names = [...tarballs.keys()];
  npm(['install', '--ignore-scripts', ...names.map((name) => `${name}@rehearsal`)], project, env);
  for (const result of loadBothWays(process.execPath, project, names)) {
    if (result.ok) passed++;
    else failed++;
    console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name} installed from the registry — ${result.detail}`);
  }
} catch (error) {
  failed++;
  console.error(error);
} finally {
  verdaccio.kill();
}
console.log(`publish rehearsal: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForRegistry(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not start at ${url}`);
}

async function createUser(url) {
  const name = 'rehearsal';
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'rehearsal-password', type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = await response.json();
  if (!body.token) throw new Error(`could not create a verdaccio user: ${JSON.stringify(body)}`);
  return body.token;
}
