/** DynamoDB's item size limit: 400 KB, counted in binary kilobytes. */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;

/** An attribute value as the item-size count sees it. */
export type SizedValue = { S: string } | { N: string };

/**
 * The size DynamoDB counts for an item of string and number attributes: each attribute name's
 * UTF-8 bytes plus its value's. A number is counted at 21 bytes, its largest size, so the result
 * is never below DynamoDB's own count.
 */
export function itemSize(item: Record<string, SizedValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    size += 'S' in value ? Buffer.byteLength(value.S) : 21;
  }
  return size;
}
