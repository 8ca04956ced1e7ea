import { AwsServiceError } from '../http-service.js';
import type { JsonOperation } from '../protocols/json.js';
import { optionalString, optionalStringMap, requireString } from '../protocols/json.js';
import { pageOf, type PagingRules } from '../protocols/paging.js';
import type { KmsStore } from './kms.js';

// KMS: Limit 1 to 1000, default 100; a Marker KMS did not issue is InvalidMarkerException.
const KMS_PAGING: PagingRules = { limitMember: 'Limit', max: 1000, defaultLimit: 100, badTokenCode: 'InvalidMarkerException' };

/** ListKeys and ListAliases, paged with `Limit`, `Marker`, `Truncated` and `NextMarker` as KMS pages. */
export function kmsListings(store: KmsStore): Record<string, JsonOperation> {
  const paged = <T>(operation: string, items: readonly T[], input: Record<string, unknown>) => {
    const { page, next } = pageOf(items, input['Limit'], input['Marker'], { ...KMS_PAGING, scope: `${operation}:${String(input['KeyId'] ?? '')}` });
    return { page, more: next ? { Truncated: true, NextMarker: next } : { Truncated: false } };
  };
  return {
    ListKeys(input) {
      const { page, more } = paged('ListKeys', store.listKeys(), input);
      return { Keys: page.map((key) => ({ KeyId: key.id, KeyArn: key.arn })), ...more };
    },
    ListAliases(input) {
      const keyId = optionalString(input, 'KeyId');
      const only = keyId === undefined ? undefined : store.resolve(keyId).id;
      const aliases = store.listAliases().filter((alias) => only === undefined || alias.keyId === only);
      const { page, more } = paged('ListAliases', aliases, input);
      return {
        Aliases: page.map((alias) => ({ AliasName: alias.name, AliasArn: `arn:aws:kms:${store.region}:${store.account}:${alias.name}`, TargetKeyId: alias.keyId })),
        ...more,
      };
    },
  };
}

/** ReEncrypt: decrypts under the source key and context, encrypts under the destination's, in one call. */
export function reEncrypt(store: KmsStore, input: Record<string, unknown>): Record<string, unknown> {
  const blob = input['CiphertextBlob'];
  if (typeof blob !== 'string' || blob.length === 0) {
    throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  }
  const destination = requireString(input, 'DestinationKeyId');
  const source = store.decrypt(Buffer.from(blob, 'base64'), optionalStringMap(input, 'SourceEncryptionContext'), optionalString(input, 'SourceKeyId'));
  const encrypted = store.encrypt(destination, source.plaintext, optionalStringMap(input, 'DestinationEncryptionContext'));
  return {
    CiphertextBlob: encrypted.blob.toString('base64'),
    SourceKeyId: source.keyArn,
    KeyId: encrypted.keyArn,
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}
