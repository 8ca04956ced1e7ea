import fc from 'fast-check';
import { ACTIONS, evaluateFlag, FlagDocumentError, parseFlagDocument } from '../src/index.js';

const at = new Date('2026-12-04T18:30:00Z'); // a Friday

const doc = (conditions: unknown[], extra: object = {}) => ({ beta: { default: false, rules: { 'the rule': { when_match: true, conditions } }, ...extra } });
const flag = (document: unknown) => parseFlagDocument(document).get('beta')!;
const on = (conditions: unknown[], context: Record<string, unknown>, now = at) => evaluateFlag(flag(doc(conditions)), context, now);

describe('parseFlagDocument (Powertools feature-flag schema)', () => {
  it.each([
    [[], 'a flag document must be a JSON object'],
    [{ beta: true }, 'flag "beta": must be an object'],
    [{ beta: {} }, 'flag "beta": has no "default"'],
    [{ beta: { default: 'yes' } }, '"default" must be true or false for a boolean flag'],
    [{ beta: { default: 1, boolean_type: 'no' } }, '"boolean_type" must be true or false'],
    [{ beta: { default: false, rules: [] } }, '"rules" must be an object'],
    [{ beta: { default: false, rules: { r: { conditions: [] } } } }, 'flag "beta" › rule "r": has no "when_match"'],
    [{ beta: { default: false, rules: { r: { when_match: 'x', conditions: [] } } } }, '"when_match" must be true or false'],
    [doc([]), 'rule "the rule": "conditions" must be a non-empty array'],
    [doc([{ action: 'EQUAL', key: 'tier', value: 'x' }]), 'condition 1: "action" must be one of EQUALS'],
    [doc([{ action: 'EQUALS', key: '', value: 'x' }]), '"key" must be a non-empty string'],
    [doc([{ action: 'EQUALS', key: 'tier' }]), 'condition 1: has no "value"'],
    [doc([{ action: 'ANY_IN_VALUE', key: 'tags', value: 'x' }]), 'ANY_IN_VALUE needs a list "value"'],
    [doc([{ action: 'MODULO_RANGE', key: 'id', value: { BASE: 10, START: 5, END: 2 } }]), 'MODULO_RANGE needs "value"'],
    [doc([{ action: 'SCHEDULE_BETWEEN_TIME_RANGE', key: 'CURRENT_TIME', value: { START: '9:00', END: '17:00' } }]), '"START" as HH:MM'],
    [doc([{ action: 'SCHEDULE_BETWEEN_TIME_RANGE', key: 'NOW', value: { START: '09:00', END: '17:00' } }]), '"key": "CURRENT_TIME"'],
    [doc([{ action: 'SCHEDULE_BETWEEN_TIME_RANGE', key: 'CURRENT_TIME', value: { START: '09:00', END: '17:00', TIMEZONE: 'Mars/Base' } }]), 'an IANA "TIMEZONE"'],
    [doc([{ action: 'SCHEDULE_BETWEEN_DATETIME_RANGE', key: 'CURRENT_DATETIME', value: { START: 'soon', END: '2027-01-01T00:00:00' } }]), 'ISO 8601'],
    [doc([{ action: 'SCHEDULE_BETWEEN_DAYS_OF_WEEK', key: 'CURRENT_DAY_OF_WEEK', value: { DAYS: ['FUNDAY'] } }]), '"DAYS" as a non-empty list'],
  ])('refuses %j with a FlagDocumentError naming where (%s)', (document, message) => {
    expect(() => parseFlagDocument(document)).toThrow(FlagDocumentError);
    expect(() => parseFlagDocument(document)).toThrow(message);
  });

  it('answers non-boolean flags with any JSON value', () => {
    const document = parseFlagDocument({ banner: { boolean_type: false, default: { text: 'hi' }, rules: { fr: { when_match: { text: 'salut' }, conditions: [{ action: 'EQUALS', key: 'lang', value: 'fr' }] } } } });
    expect(evaluateFlag(document.get('banner')!, { lang: 'fr' }, at)).toEqual({ text: 'salut' });
    expect(evaluateFlag(document.get('banner')!, { lang: 'de' }, at)).toEqual({ text: 'hi' });
  });
});

describe('conditions', () => {
  it.each([
    ['EQUALS', 'tier', 'premium', { tier: 'premium' }, true],
    ['EQUALS', 'tier', 'premium', { tier: 'basic' }, false],
    ['NOT_EQUALS', 'tier', 'premium', { tier: 'basic' }, true],
    ['KEY_GREATER_THAN_VALUE', 'age', 17, { age: 18 }, true],
    ['KEY_GREATER_THAN_VALUE', 'age', 17, { age: '18' }, false],
    ['KEY_GREATER_THAN_OR_EQUAL_VALUE', 'age', 18, { age: 18 }, true],
    ['KEY_LESS_THAN_VALUE', 'age', 18, { age: 17 }, true],
    ['KEY_LESS_THAN_OR_EQUAL_VALUE', 'age', 18, { age: 19 }, false],
    ['STARTSWITH', 'ua', 'Mozilla', { ua: 'Mozilla/5.0' }, true],
    ['ENDSWITH', 'email', '@example.com', { email: 'a@example.com' }, true],
    ['IN', 'country', ['DK', 'SE'], { country: 'DK' }, true],
    ['NOT_IN', 'country', ['DK', 'SE'], { country: 'NO' }, true],
    ['KEY_IN_VALUE', 'ip', ['10.0.0.1'], { ip: '10.0.0.1' }, true],
    ['KEY_NOT_IN_VALUE', 'ip', ['10.0.0.1'], { ip: '10.0.0.2' }, true],
    ['VALUE_IN_KEY', 'groups', 'admin', { groups: ['admin', 'dev'] }, true],
    ['VALUE_NOT_IN_KEY', 'groups', 'admin', { groups: ['dev'] }, true],
    ['ALL_IN_VALUE', 'tags', ['a', 'b', 'c'], { tags: ['a', 'b'] }, true],
    ['ALL_IN_VALUE', 'tags', ['a'], { tags: ['a', 'b'] }, false],
    ['ANY_IN_VALUE', 'tags', ['b', 'x'], { tags: ['a', 'b'] }, true],
    ['NONE_IN_VALUE', 'tags', ['x'], { tags: ['a', 'b'] }, true],
    ['MODULO_RANGE', 'user', { BASE: 100, START: 0, END: 19 }, { user: 1019 }, true],
    ['MODULO_RANGE', 'user', { BASE: 100, START: 0, END: 19 }, { user: 1020 }, false],
    ['MODULO_RANGE', 'user', { BASE: 100, START: 81, END: 99 }, { user: -1 }, true],
  ])('%s %s %j against %j is %s', (action, key, value, context, expected) => {
    expect(on([{ action, key, value }], context)).toBe(expected);
  });

  it('fails a condition whose key the context lacks, also a negative one', () => {
    expect(on([{ action: 'NOT_EQUALS', key: 'tier', value: 'premium' }], {})).toBe(false);
    expect(on([{ action: 'NOT_IN', key: 'constructor', value: ['x'] }], {})).toBe(false);
  });

  it('needs every condition of a rule, and takes the first rule that matches', () => {
    const document = parseFlagDocument({
      plan: {
        boolean_type: false,
        default: 'free',
        rules: {
          gold: { when_match: 'gold', conditions: [{ action: 'EQUALS', key: 'tier', value: 'premium' }, { action: 'KEY_GREATER_THAN_VALUE', key: 'years', value: 5 }] },
          silver: { when_match: 'silver', conditions: [{ action: 'EQUALS', key: 'tier', value: 'premium' }] },
        },
      },
    });
    const plan = document.get('plan')!;
    expect(evaluateFlag(plan, { tier: 'premium', years: 6 }, at)).toBe('gold');
    expect(evaluateFlag(plan, { tier: 'premium', years: 2 }, at)).toBe('silver');
    expect(evaluateFlag(plan, { tier: 'basic' }, at)).toBe('free');
  });

  it('reads time ranges in the condition time zone, across midnight too', () => {
    const range = (START: string, END: string, TIMEZONE?: string) => [{ action: 'SCHEDULE_BETWEEN_TIME_RANGE', key: 'CURRENT_TIME', value: { START, END, TIMEZONE } }];
    expect(on(range('18:00', '19:00'), {})).toBe(true); // 18:30 UTC
    expect(on(range('19:00', '20:00', 'Europe/Copenhagen'), {})).toBe(true); // 19:30 in Copenhagen
    expect(on(range('22:00', '04:00'), {}, new Date('2026-12-04T02:00:00Z'))).toBe(true);
    expect(on(range('22:00', '04:00'), {}, new Date('2026-12-04T12:00:00Z'))).toBe(false);
  });

  it('reads date-time ranges with and without an offset, and days of the week in a time zone', () => {
    const dates = (START: string, END: string, TIMEZONE?: string) => [{ action: 'SCHEDULE_BETWEEN_DATETIME_RANGE', key: 'CURRENT_DATETIME', value: { START, END, TIMEZONE } }];
    expect(on(dates('2026-12-04T18:00:00Z', '2026-12-04T19:00:00Z'), {})).toBe(true);
    // 18:30 UTC is 07:30 on the 5th in Auckland (UTC+13 in December).
    expect(on(dates('2026-12-05T07:00:00', '2026-12-05T08:00:00', 'Pacific/Auckland'), {})).toBe(true);
    expect(on(dates('2026-12-05T05:00:00', '2026-12-05T06:00:00', 'Pacific/Auckland'), {})).toBe(false);
    expect(on(dates('2026-12-04T07:00:00', '2026-12-04T08:00:00', 'Pacific/Auckland'), {})).toBe(false);
    const days = (DAYS: string[], TIMEZONE?: string) => [{ action: 'SCHEDULE_BETWEEN_DAYS_OF_WEEK', key: 'CURRENT_DAY_OF_WEEK', value: { DAYS, TIMEZONE } }];
    expect(on(days(['FRIDAY']), {})).toBe(true);
    expect(on(days(['SATURDAY'], 'Pacific/Auckland'), {})).toBe(true);
  });
});

describe('hostile names', () => {
  const builtIns = [...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype'];
  const name = fc.oneof(fc.constantFrom(...builtIns), fc.string({ maxLength: 30 }));

  it('are ordinary flag, rule and context keys: no throw, no match on inherited names, Object.prototype unchanged', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    fc.assert(
      fc.property(name, name, fc.constantFrom(...ACTIONS.filter((a) => !a.startsWith('SCHEDULE') && a !== 'MODULO_RANGE')), (flagName, key, action) => {
        fc.pre(key !== '');
        // Built as JSON text, so `__proto__` is an own key, as it is in a document read from AppConfig.
        const rules = `{${JSON.stringify(key)}: ${JSON.stringify({ when_match: true, conditions: [{ action, key, value: ['x'] }] })}}`;
        const raw = JSON.parse(`{${JSON.stringify(flagName)}: {"default": false, "rules": ${rules}}}`);
        const document = parseFlagDocument(raw);
        const flagOf = document.get(flagName);
        expect(flagOf?.name).toBe(flagName);
        // An empty context has no own keys: nothing matches, whatever the name.
        expect(evaluateFlag(flagOf!, {}, at)).toBe(false);
        expect(evaluateFlag(flagOf!, JSON.parse(`{${JSON.stringify(key)}: ["x"]}`), at)).toEqual(expect.any(Boolean));
      }),
      { numRuns: 300 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });
});
