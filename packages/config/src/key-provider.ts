import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';
import { KEY_BYTES, fromBase64, open, seal } from './aes.js';
import { ConfigError, KeyProviderError } from './errors.js';

/** A fresh data key: the plaintext to encrypt with, and its wrapped form to store. */
export interface DataKey {
  plaintext: Buffer;
  ciphertext: Buffer;
}

/**
 * Where data keys come from. `key` is a key reference as written in a `stages` entry: a KMS key
 * ARN, id or alias (with or without `alias/`), or `local:<path>` for a key file.
 */
export interface KeyProvider {
  /** One new 256-bit data key under `key` (one KMS GenerateDataKey). */
  generateDataKey(key: string): Promise<DataKey>;
  /** Unwraps a data key made by {@link KeyProvider.generateDataKey} (one KMS Decrypt). */
  decryptDataKey(key: string, ciphertext: Uint8Array): Promise<Buffer>;
  /** Decrypts a KMS ciphertext blob as the Python fleece wrote them (`:decrypt:` values). */
  decryptLegacy(ciphertext: Uint8Array): Promise<Buffer>;
}

/** The part of a KMS client the providers use; any AWS SDK v3 `KMSClient` fits. */
export type KmsClientLike = Pick<KMSClient, 'send'>;

/** Options of {@link createKeyProvider}. */
export interface KeyProviderOptions {
  /** The KMS client. Default: one per container, made by `@fleece/aws` `client(KMSClient)` on first use. */
  kms?: KmsClientLike;
  /** The directory `local:<path>` references are relative to. Default: the working directory. */
  baseDir?: string;
}

const LOCAL_PREFIX = 'local:';
const LOCAL_HEADER = 'fleece-local-key v1 ';
const LOCAL_WRAP_AAD = Buffer.from('fleece-local-key/data-key/v1');

/** Whether a key reference names a local key file. */
export function isLocalKey(key: string): boolean {
  return key.startsWith(LOCAL_PREFIX);
}

const KEY_ID = /^(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The KeyId to send to KMS for a key reference: ARNs, key ids and `alias/` names as given; any
 * other name is an alias without its prefix, as fleece allowed (the Python version also turned
 * bare key ids into aliases, which KMS then could not find).
 */
export function kmsKeyId(key: string): string {
  const trimmed = key.trim();
  if (trimmed.startsWith('arn:') || trimmed.startsWith('alias/') || KEY_ID.test(trimmed)) return trimmed;
  return `alias/${trimmed}`;
}

let kmsModule: Promise<typeof import('@aws-sdk/client-kms')> | undefined;

/**
 * The KMS SDK module, imported once. Caching the promise matters: every fresh `import()` waits for
 * a turn of the event loop, which costs about a millisecond per call on a busy loop.
 */
function kmsSdk(): Promise<typeof import('@aws-sdk/client-kms')> {
  kmsModule ??= import('@aws-sdk/client-kms');
  return kmsModule;
}

let sharedKms: Promise<KmsClientLike> | undefined;

/**
 * The container's KMS client, made on first use so that loading this module costs no SDK import.
 * Container-wide on purpose: a warm Lambda reuses the connection for every invocation.
 */
export function defaultKms(): Promise<KmsClientLike> {
  sharedKms ??= (async () => {
    const [{ KMSClient }, { client }] = await Promise.all([kmsSdk(), import('@fleece/aws')]);
    return client(KMSClient, {});
  })();
  sharedKms.catch(() => {
    sharedKms = undefined;
  });
  return sharedKms;
}

/** Forgets the container's default KMS client (tests that change endpoints use it). */
export function resetDefaultKms(): void {
  sharedKms = undefined;
}

/**
 * The key provider the file logic and `loadConfig` use: KMS for KMS references, key files for
 * `local:<path>` references.
 */
export function createKeyProvider(options: KeyProviderOptions = {}): KeyProvider {
  if (options === null || typeof options !== 'object') throw new TypeError('key provider options must be an object');
  if (options.kms !== undefined && typeof options.kms?.send !== 'function') throw new TypeError('kms must be an AWS SDK v3 KMS client');
  if (options.baseDir !== undefined && typeof options.baseDir !== 'string') throw new TypeError('baseDir must be a directory path');
  const kms = () => (options.kms ? Promise.resolve(options.kms) : defaultKms());
  const baseDir = options.baseDir ?? process.cwd();
  const localKeys = new Map<string, Promise<Buffer>>();
  const localKey = (key: string) => {
    const path = localPath(key, baseDir);
    let found = localKeys.get(path);
    if (!found) {
      found = readLocalKey(path, key);
      localKeys.set(path, found);
    }
    return found;
  };

  return {
    async generateDataKey(key) {
      if (isLocalKey(key)) {
        const plaintext = randomBytes(KEY_BYTES);
        return { plaintext, ciphertext: seal(await localKey(key), plaintext, LOCAL_WRAP_AAD) };
      }
      const { GenerateDataKeyCommand } = await kmsSdk();
      const out = await call(key, 'KMS GenerateDataKey', async () => (await kms()).send(new GenerateDataKeyCommand({ KeyId: kmsKeyId(key), KeySpec: 'AES_256' })));
      if (!out.Plaintext || !out.CiphertextBlob) throw new KeyProviderError(key, 'KMS GenerateDataKey', 'the answer carried no data key');
      return { plaintext: Buffer.from(out.Plaintext), ciphertext: Buffer.from(out.CiphertextBlob) };
    },
    async decryptDataKey(key, ciphertext) {
      if (isLocalKey(key)) {
        try {
          return open(await localKey(key), ciphertext, LOCAL_WRAP_AAD);
        } catch (error) {
          if (error instanceof ConfigError) throw error;
          throw new KeyProviderError(key, 'unwrapping a data key', 'the data key was not made with this key file', { cause: error });
        }
      }
      const { DecryptCommand } = await kmsSdk();
      const out = await call(key, 'KMS Decrypt', async () => (await kms()).send(new DecryptCommand({ KeyId: kmsKeyId(key), CiphertextBlob: ciphertext })));
      return plaintextOf(key, out.Plaintext);
    },
    async decryptLegacy(ciphertext) {
      const { DecryptCommand } = await kmsSdk();
      const out = await call('(named by the ciphertext)', 'KMS Decrypt', async () => (await kms()).send(new DecryptCommand({ CiphertextBlob: ciphertext })));
      return plaintextOf('(named by the ciphertext)', out.Plaintext);
    },
  };
}

function plaintextOf(key: string, plaintext: Uint8Array | undefined): Buffer {
  if (!plaintext) throw new KeyProviderError(key, 'KMS Decrypt', 'the answer carried no plaintext');
  return Buffer.from(plaintext);
}

async function call<T>(key: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const name = (error as Error)?.name ?? 'Error';
    const message = (error as Error)?.message ?? String(error);
    // The SDK's own words ("Region is missing") do not say what to do about it.
    const hint = /region is missing/i.test(message) ? '; set AWS_REGION (or pass a KMS client with a region)' : '';
    throw new KeyProviderError(key, operation, `${name}: ${message}${hint}`, { cause: error });
  }
}

/** The absolute path of a `local:<path>` reference. */
export function localPath(key: string, baseDir: string): string {
  const path = key.slice(LOCAL_PREFIX.length).trim();
  if (!path) throw new KeyProviderError(key, 'reading the local key', 'local: needs a path, e.g. local:.fleece/dev.key');
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

async function readLocalKey(path: string, key: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `no key file at ${path}; make one with "fleece config keygen ${key.slice(LOCAL_PREFIX.length).trim()}"` : (error as Error).message;
    throw new KeyProviderError(key, 'reading the local key', reason, { cause: error });
  }
  const line = text.trim();
  const bytes = line.startsWith(LOCAL_HEADER) ? fromBase64(line.slice(LOCAL_HEADER.length)) : undefined;
  if (!bytes || bytes.length !== KEY_BYTES) throw new KeyProviderError(key, 'reading the local key', `${path} is not a key file made by "fleece config keygen"`);
  return bytes;
}

/**
 * Writes a new local key file (256 random bits) with mode 0600. It refuses to overwrite an
 * existing file, because every value sealed under the old key would be lost with it.
 *
 * @returns the absolute path written.
 */
export async function generateLocalKey(path: string): Promise<string> {
  if (typeof path !== 'string' || path.trim() === '') throw new TypeError('path must be a file path');
  const absolute = resolve(path);
  const text = `${LOCAL_HEADER}${randomBytes(KEY_BYTES).toString('base64')}\n`;
  try {
    // `fleece config keygen .keys/dev.key` makes the folder, private to its owner like the key.
    await mkdir(dirname(absolute), { recursive: true, mode: 0o700 });
    await writeFile(absolute, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new KeyProviderError(`local:${path}`, 'writing the local key', `${absolute} exists; remove it first if you really mean to replace it (values sealed under it become unreadable)`, { cause: error });
    }
    throw new KeyProviderError(`local:${path}`, 'writing the local key', (error as Error).message, { cause: error });
  }
  return absolute;
}
