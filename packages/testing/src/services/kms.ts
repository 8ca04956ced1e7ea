import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { AwsServiceError, type ServiceDefinition } from '../http-service.js';
import { epochSeconds, jsonService, optionalString, optionalStringMap, requireString } from '../protocols/json.js';
import { kmsListings, reEncrypt } from './kms-listing.js';

interface KmsKey {
  id: string;
  arn: string;
  material: Buffer;
  description: string;
  manager: 'CUSTOMER' | 'AWS';
  createdAt: number;
}

/** What a local KMS ciphertext decrypts to. */
export interface KmsDecryption {
  keyArn: string;
  plaintext: Buffer;
}

/** 4096 bytes: the Encrypt limit of AWS KMS. */
export const KMS_MAX_PLAINTEXT_BYTES = 4096;

// Ciphertext blob: version, key id length, key id, IV, GCM tag, ciphertext. The key id inside is
// why Decrypt needs no KeyId, as with AWS symmetric keys.
const BLOB_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The keys of one local KMS, with real AES-256-GCM. SSM and Secrets Manager encrypt through it,
 * so a SecureString is as opaque here as in AWS.
 */
export class KmsStore {
  private readonly keys = new Map<string, KmsKey>();
  private readonly aliases = new Map<string, string>();

  constructor(
    readonly region: string,
    readonly account: string,
  ) {}

  /** Makes a symmetric key; `manager: 'AWS'` for the `alias/aws/<service>` keys services use by default. */
  createKey(description = '', manager: KmsKey['manager'] = 'CUSTOMER'): KmsKey {
    const id = randomUUID();
    const key: KmsKey = { id, arn: `arn:aws:kms:${this.region}:${this.account}:key/${id}`, material: randomBytes(32), description, manager, createdAt: Date.now() };
    this.keys.set(id, key);
    return key;
  }

  /** Finds a key by id, key ARN, `alias/name` or alias ARN; AWS-managed aliases appear on first use. */
  resolve(keyId: string): KmsKey {
    const aliasPrefix = `arn:aws:kms:${this.region}:${this.account}:`;
    const keyPrefix = `${aliasPrefix}key/`;
    if (keyId.startsWith('alias/') || keyId.startsWith(`${aliasPrefix}alias/`)) {
      const alias = keyId.startsWith('alias/') ? keyId : keyId.slice(aliasPrefix.length);
      let target = this.aliases.get(alias);
      if (target === undefined && /^alias\/aws\/[a-z0-9-]+$/.test(alias)) {
        target = this.createKey(`Default key that protects my ${alias.slice('alias/aws/'.length)} data when no other key is defined`, 'AWS').id;
        this.aliases.set(alias, target);
      }
      if (target === undefined) throw new AwsServiceError('NotFoundException', `Alias '${aliasPrefix}${alias}' is not found.`);
      return this.keys.get(target) as KmsKey;
    }
    const id = keyId.startsWith(keyPrefix) ? keyId.slice(keyPrefix.length) : keyId;
    const key = this.keys.get(id);
    if (!key) throw new AwsServiceError('NotFoundException', `Key '${keyPrefix}${id}' does not exist`);
    return key;
  }

  /** Points `aliasName` at a key. */
  createAlias(aliasName: string, targetKeyId: string): void {
    if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(aliasName) || aliasName.length > 256) {
      throw new AwsServiceError('ValidationException', `Alias name must begin with 'alias/' and contain only alphanumeric characters, '/', '_' or '-': ${aliasName}`);
    }
    if (aliasName.startsWith('alias/aws/')) {
      throw new AwsServiceError('NotAuthorizedException', `Cannot create alias with prefix 'alias/aws/': ${aliasName}`);
    }
    if (targetKeyId.includes('alias/')) {
      throw new AwsServiceError('ValidationException', 'TargetKeyId must be a key id or key ARN, not an alias');
    }
    const key = this.resolve(targetKeyId);
    if (this.aliases.has(aliasName)) {
      throw new AwsServiceError('AlreadyExistsException', `An alias with the name arn:aws:kms:${this.region}:${this.account}:${aliasName} already exists`);
    }
    this.aliases.set(aliasName, key.id);
  }

  /** Every key, in creation order. */
  listKeys(): KmsKey[] {
    return [...this.keys.values()];
  }

  /** Every alias with the id of its key, sorted by name. */
  listAliases(): Array<{ name: string; keyId: string }> {
    return [...this.aliases].map(([name, keyId]) => ({ name, keyId })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Encrypts with `keyId` under an encryption context that Decrypt must repeat exactly. */
  encrypt(keyId: string, plaintext: Buffer, context: Record<string, string> = {}): { keyArn: string; blob: Buffer } {
    const key = this.resolve(keyId);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(aad(key.id, context));
    const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(key.id, 'ascii');
    return { keyArn: key.arn, blob: Buffer.concat([Buffer.from([BLOB_VERSION, id.length]), id, iv, cipher.getAuthTag(), encrypted]) };
  }

  /** Decrypts a blob this store made; any tampering, other context or foreign blob is `InvalidCiphertextException`. */
  decrypt(blob: Buffer, context: Record<string, string> = {}, expectedKeyId?: string): KmsDecryption {
    const invalidCiphertext = new AwsServiceError('InvalidCiphertextException', 'The ciphertext is invalid, was made by another key store, or its encryption context differs');
    if (blob.length < 2 || blob[0] !== BLOB_VERSION) throw invalidCiphertext;
    const idLength = blob[1] ?? 0;
    const headerEnd = 2 + idLength + IV_BYTES + TAG_BYTES;
    if (blob.length < headerEnd) throw invalidCiphertext;
    const key = this.keys.get(blob.subarray(2, 2 + idLength).toString('ascii'));
    if (!key) throw invalidCiphertext;
    if (expectedKeyId !== undefined && this.resolve(expectedKeyId).id !== key.id) {
      throw new AwsServiceError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    const iv = blob.subarray(2 + idLength, 2 + idLength + IV_BYTES);
    const tag = blob.subarray(2 + idLength + IV_BYTES, headerEnd);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, iv);
      decipher.setAAD(aad(key.id, context));
      decipher.setAuthTag(tag);
      return { keyArn: key.arn, plaintext: Buffer.concat([decipher.update(blob.subarray(headerEnd)), decipher.final()]) };
    } catch {
      throw invalidCiphertext;
    }
  }

  /** `KeyMetadata` as DescribeKey and CreateKey answer it. */
  metadata(key: KmsKey): Record<string, unknown> {
    return {
      AWSAccountId: this.account,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: epochSeconds(key.createdAt),
      Enabled: true,
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: key.manager,
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    };
  }
}

/** The encryption context, in a canonical order, bound to the key as additional authenticated data. */
function aad(keyId: string, context: Record<string, string>): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify([keyId, sorted]), 'utf8');
}

function blobMember(input: Record<string, unknown>, member: string): Buffer {
  const value = input[member];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return Buffer.from(value, 'base64');
}

function checkAlgorithm(input: Record<string, unknown>): void {
  const algorithm = optionalString(input, 'EncryptionAlgorithm');
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsServiceError('InvalidKeyUsageException', `@fleece/testing KMS keys are symmetric: EncryptionAlgorithm ${algorithm} is not supported`);
  }
}

/** KMS over AWS JSON 1.1 (`TrentService.*`). */
export function kmsService(store: KmsStore): ServiceDefinition {
  return jsonService({
    name: 'kms',
    title: 'KMS',
    signingName: 'kms',
    targetPrefix: 'TrentService',
    operations: {
      ...kmsListings(store),
      ReEncrypt: (input) => reEncrypt(store, input),
      GenerateDataKeyWithoutPlaintext(input) {
        // The same key as GenerateDataKey, whose plaintext the caller never sees.
        const { Plaintext: _plaintext, ...rest } = generateDataKey(store, input);
        return rest;
      },
      GenerateDataKey: (input) => generateDataKey(store, input),
      CreateKey(input) {
        const spec = optionalString(input, 'KeySpec') ?? optionalString(input, 'CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
        const usage = optionalString(input, 'KeyUsage') ?? 'ENCRYPT_DECRYPT';
        if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') {
          throw new AwsServiceError('UnsupportedOperationException', `@fleece/testing KMS makes SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys only, not ${spec} ${usage}`);
        }
        return { KeyMetadata: store.metadata(store.createKey(optionalString(input, 'Description') ?? '')) };
      },
      CreateAlias(input) {
        store.createAlias(requireString(input, 'AliasName'), requireString(input, 'TargetKeyId'));
        return {};
      },
      DescribeKey(input) {
        return { KeyMetadata: store.metadata(store.resolve(requireString(input, 'KeyId'))) };
      },
      Encrypt(input) {
        checkAlgorithm(input);
        const keyId = requireString(input, 'KeyId');
        const plaintext = blobMember(input, 'Plaintext');
        if (plaintext.length > KMS_MAX_PLAINTEXT_BYTES) {
          throw new AwsServiceError('ValidationException', `1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to ${KMS_MAX_PLAINTEXT_BYTES}`);
        }
        const { keyArn, blob } = store.encrypt(keyId, plaintext, optionalStringMap(input, 'EncryptionContext'));
        return { CiphertextBlob: blob.toString('base64'), KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      },
      Decrypt(input) {
        checkAlgorithm(input);
        const { keyArn, plaintext } = store.decrypt(blobMember(input, 'CiphertextBlob'), optionalStringMap(input, 'EncryptionContext'), optionalString(input, 'KeyId'));
        return { KeyId: keyArn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      },
    },
  });
}

/** GenerateDataKey: a fresh key in plaintext and encrypted under a KMS key. */
function generateDataKey(store: KmsStore, input: Record<string, unknown>): Record<string, unknown> {
  const keyId = requireString(input, 'KeyId');
  const spec = optionalString(input, 'KeySpec');
  const count = input['NumberOfBytes'];
  if ((spec === undefined) === (count === undefined || count === null)) {
    throw new AwsServiceError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  let bytes: number;
  if (spec !== undefined) {
    if (spec !== 'AES_256' && spec !== 'AES_128') throw new AwsServiceError('ValidationException', `KeySpec must be AES_256 or AES_128, got ${spec}`);
    bytes = spec === 'AES_256' ? 32 : 16;
  } else {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1024) {
      throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${String(count)}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024`);
    }
    bytes = count;
  }
  const plaintext = randomBytes(bytes);
  const { keyArn, blob } = store.encrypt(keyId, plaintext, optionalStringMap(input, 'EncryptionContext'));
  return { CiphertextBlob: blob.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: keyArn };
}
