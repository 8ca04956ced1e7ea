// What infrastructure as code provides in AWS, made in the local AWS of `fleece serve --setup`:
// the idempotency table, the bucket for large responses and long-running jobs, the sealed
// configuration, and the function's environment variables. Safe to run again.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { client } from '@fleece/aws';
import { createKeyProvider, generateLocalKey, importConfig, renderConfig, sealArtifact, writeFileAtomic } from '@fleece/config';
import { createIdempotencyTable } from '@fleece/idempotency';

const root = fileURLToPath(new URL('..', import.meta.url));
const TABLE = 'greeting-api-idempotency';
const BUCKET = 'greeting-api-payloads';

/**
 * Called once by `fleece serve` with the function's environment (the local AWS endpoints) before
 * the handler loads; returns the function's environment variables.
 *
 * @param {{ aws: 'local' | 'real' }} options
 * @returns {Promise<Record<string, string>>}
 */
export async function setup({ aws }) {
  if (aws !== 'local') throw new Error('local-setup.mjs makes resources in the local AWS only; against a real account, deploy them with your infrastructure as code');
  const [configFile] = await Promise.all([sealConfiguration(), createIdempotencyTable({ tableName: TABLE }), createBucket(BUCKET)]);
  return { IDEMPOTENCY_TABLE: TABLE, BUCKET, FLEECE_CONFIG_FILE: configFile };
}

/** `fleece config keygen`, `import` and `render local --encrypt`, as library calls. */
async function sealConfiguration() {
  const dir = join(root, '.fleece');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'local.key');
  if (!existsSync(keyFile)) await generateLocalKey(keyFile);
  const keys = createKeyProvider({ baseDir: root });
  const { text: closed } = await importConfig(await readFile(join(root, 'config.open.yml'), 'utf8'), { keys, source: 'config.open.yml' });
  await writeFileAtomic(join(dir, 'config.yml'), closed);
  const rendered = await renderConfig(closed, 'local', { keys, source: '.fleece/config.yml' });
  const artifact = await sealArtifact(rendered.config, { stage: 'local', key: rendered.match.value.key, keys });
  const artifactFile = join(dir, 'config.local.json');
  await writeFileAtomic(artifactFile, `${JSON.stringify(artifact)}\n`);
  return artifactFile;
}

async function createBucket(name) {
  const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
  const s3 = client(S3Client, {});
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    if (error?.name !== 'BucketAlreadyOwnedByYou' && error?.name !== 'BucketAlreadyExists') throw error;
  } finally {
    s3.destroy();
  }
}
