import { AwsServiceError, type ServiceReply } from '../http-service.js';
import { el } from '../protocols/query.js';

/** One stored object as the listing needs it. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

/** Where the listing reads objects from: every object of a bucket under a prefix, or none for a missing bucket. */
export type ObjectSource = (bucket: string, prefix: string) => Promise<ListedObject[] | undefined>;

/** S3's page size cap for ListObjects and ListObjectsV2. */
export const MAX_KEYS = 1000;

const OWNER = '<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>fleece-local</DisplayName></Owner>';

// One listing entry, a key or a common prefix, in the order S3 returns them.
type Entry = { kind: 'key'; object: ListedObject } | { kind: 'prefix'; prefix: string };

const nameOf = (entry: Entry) => (entry.kind === 'key' ? entry.object.key : entry.prefix);

/** S3 lists keys in UTF-8 binary order, which differs from JavaScript's UTF-16 order above U+FFFF. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The continuation token is opaque to clients, as S3 documents; ours is the last entry returned,
 * marked as key or common prefix, so the next page resumes after it. s3rver's own token used DES,
 * which OpenSSL 3 refuses: the reason this listing replaces s3rver's.
 */
function encodeToken(bucket: string, entry: Entry): string {
  return Buffer.from(JSON.stringify([bucket, entry.kind === 'key' ? 'k' : 'p', nameOf(entry)])).toString('base64');
}

function decodeToken(bucket: string, token: string): { after: string; isPrefix: boolean } {
  try {
    const [tokenBucket, kind, after] = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown[];
    if (tokenBucket === bucket && (kind === 'k' || kind === 'p') && typeof after === 'string') return { after, isPrefix: kind === 'p' };
  } catch {
    // fall through to S3's error
  }
  throw new AwsServiceError('InvalidArgument', 'The continuation token provided is invalid.', 400);
}

/** S3's `encoding-type=url`: URL-encoded with `+` for a space, as the AWS CLI decodes it. */
function urlEncode(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** The `max-keys` parameter: S3 caps it at 1000 and refuses what is not a non-negative integer. */
function maxKeysOf(query: URLSearchParams): number {
  const given = query.get('max-keys');
  if (given === null || given === '') return MAX_KEYS;
  if (!/^\d+$/.test(given) || Number(given) > 2_147_483_647) {
    throw new AwsServiceError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400);
  }
  return Math.min(MAX_KEYS, Number(given));
}

/**
 * ListObjectsV2 (`list-type=2`) and ListObjects (v1) as S3 documents them: keys in UTF-8 binary
 * order; with a delimiter, keys sharing a prefix up to it roll up into one common prefix that counts
 * as one entry against `max-keys`; `start-after` and `marker` are exclusive; `KeyCount` counts keys
 * and common prefixes; `encoding-type=url` encodes keys, prefixes and delimiters.
 */
export async function listObjects(bucket: string, query: URLSearchParams, source: ObjectSource): Promise<ServiceReply> {
  const v2 = query.get('list-type') === '2';
  if (v2 && query.has('marker')) throw new AwsServiceError('InvalidArgument', 'Marker unsupported with REST.GET.BUCKET in list-type=2', 400);
  if (!v2 && query.has('continuation-token')) {
    throw new AwsServiceError('InvalidArgument', 'continuation-token only supported in REST.GET.BUCKET with list-type=2', 400);
  }
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') throw new AwsServiceError('InvalidArgument', 'Invalid Encoding Method specified in Request', 400);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(query);
  const token = v2 ? query.get('continuation-token') : null;
  const resume = token ? decodeToken(bucket, token) : undefined;
  const startAfter = (v2 ? query.get('start-after') : query.get('marker')) ?? '';

  const objects = await source(bucket, prefix);
  if (!objects) throw new AwsServiceError('NoSuchBucket', 'The specified bucket does not exist', 404);
  const entries: Entry[] = [];
  const seenPrefixes = new Set<string>();
  for (const object of objects.filter((o) => o.key.startsWith(prefix)).sort((a, b) => compareUtf8(a.key, b.key))) {
    if (startAfter && compareUtf8(object.key, startAfter) <= 0) continue;
    if (resume && (compareUtf8(object.key, resume.after) <= 0 || (resume.isPrefix && object.key.startsWith(resume.after)))) continue;
    const at = delimiter ? object.key.indexOf(delimiter, prefix.length) : -1;
    if (at < 0) {
      entries.push({ kind: 'key', object });
      continue;
    }
    const common = object.key.slice(0, at + delimiter.length);
    if (!seenPrefixes.has(common)) {
      seenPrefixes.add(common);
      entries.push({ kind: 'prefix', prefix: common });
    }
  }
  const page = entries.slice(0, maxKeys);
  // With max-keys 0 S3 answers not truncated (observed, not documented), as s3rver did.
  const truncated = maxKeys > 0 && entries.length > page.length;
  const last = page[page.length - 1];
  const show = (value: string) => (encodingType === 'url' ? urlEncode(value) : value);
  const fetchOwner = v2 ? query.get('fetch-owner') === 'true' : true;

  const contents = page
    .filter((e): e is Extract<Entry, { kind: 'key' }> => e.kind === 'key')
    .map(
      ({ object }) =>
        `<Contents>${el('Key', show(object.key))}${el('LastModified', object.lastModified.toISOString())}${el('ETag', object.etag)}${el('Size', object.size)}${fetchOwner ? OWNER : ''}<StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const prefixes = page
    .filter((e): e is Extract<Entry, { kind: 'prefix' }> => e.kind === 'prefix')
    .map((e) => `<CommonPrefixes>${el('Prefix', show(e.prefix))}</CommonPrefixes>`)
    .join('');
  const paging = v2
    ? `${el('KeyCount', page.length)}${token ? el('ContinuationToken', token) : ''}${truncated && last ? el('NextContinuationToken', encodeToken(bucket, last)) : ''}${startAfter ? el('StartAfter', show(startAfter)) : ''}`
    : // S3 sends NextMarker only with a delimiter; without one, the last key is the next marker.
      `${el('Marker', show(startAfter))}${truncated && delimiter && last ? el('NextMarker', show(nameOf(last))) : ''}`;
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `${el('Name', bucket)}${el('Prefix', show(prefix))}${paging}${el('MaxKeys', query.get('max-keys') ?? MAX_KEYS)}` +
    `${delimiter ? el('Delimiter', show(delimiter)) : ''}${encodingType ? el('EncodingType', encodingType) : ''}${el('IsTruncated', truncated)}` +
    `${contents}${prefixes}</ListBucketResult>`;
  return { status: 200, headers: { 'Content-Type': 'application/xml' }, body };
}
