import { DYNAMODB_ITEM_LIMIT_BYTES, itemSize } from '../src/item-size.js';

describe('itemSize', () => {
  it('counts UTF-8 bytes of names and string values, and 21 bytes per number', () => {
    expect(itemSize({ id: { S: 'abc' } })).toBe(5);
    expect(itemSize({ d: { S: 'é€' } })).toBe(1 + 5);
    expect(itemSize({ n: { N: '1' } })).toBe(22);
  });

  it('puts the limit at 400 KiB', () => {
    expect(DYNAMODB_ITEM_LIMIT_BYTES).toBe(409_600);
  });
});
