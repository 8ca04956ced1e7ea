import { ACTIONS, SCHEDULE_ACTIONS, type Action } from './conditions.js';
import { FlagDocumentError } from './flag-errors.js';
import { DAYS, instantOf, isTimeZone, minutesOf } from './schedule.js';

/** One condition of a rule: the context's `key` compared with `value` by `action`. */
export interface FlagCondition {
  readonly action: Action;
  readonly key: string;
  readonly value: unknown;
}

/** A rule: when every condition holds, the flag takes `whenMatch`. */
export interface FlagRule {
  readonly name: string;
  readonly whenMatch: unknown;
  readonly conditions: readonly FlagCondition[];
}

/** A flag: its default, whether it is boolean, and its rules in document order. */
export interface Flag {
  readonly name: string;
  readonly default: unknown;
  readonly boolean: boolean;
  readonly rules: readonly FlagRule[];
}

/** A checked flag document, by flag name. A Map, so any name is an ordinary key. */
export type FlagDocument = ReadonlyMap<string, Flag>;

// The key each clock action reads, as the schema requires it.
const SCHEDULE_KEYS: Readonly<Partial<Record<Action, string>>> = {
  SCHEDULE_BETWEEN_TIME_RANGE: 'CURRENT_TIME',
  SCHEDULE_BETWEEN_DATETIME_RANGE: 'CURRENT_DATETIME',
  SCHEDULE_BETWEEN_DAYS_OF_WEEK: 'CURRENT_DAY_OF_WEEK',
};
const LIST_ACTIONS: ReadonlySet<Action> = new Set(['ALL_IN_VALUE', 'ANY_IN_VALUE', 'NONE_IN_VALUE']);

/**
 * Checks a feature-flag document (the schema Powertools' feature flags read: `default`,
 * `boolean_type`, `rules` with `when_match` and `conditions`) and returns it as a {@link FlagDocument}.
 *
 * @throws FlagDocumentError naming the flag, rule and condition at fault.
 */
export function parseFlagDocument(raw: unknown): FlagDocument {
  if (!isObject(raw)) throw new FlagDocumentError(`a flag document must be a JSON object of flags, got ${kind(raw)}`, '');
  const flags = new Map<string, Flag>();
  for (const [name, value] of Object.entries(raw)) flags.set(name, parseFlag(name, value));
  return flags;
}

function parseFlag(name: string, raw: unknown): Flag {
  const path = `flag "${name}"`;
  if (!isObject(raw)) throw new FlagDocumentError(`must be an object, got ${kind(raw)}`, path);
  if (!Object.hasOwn(raw, 'default')) throw new FlagDocumentError('has no "default"', path);
  const boolean = Object.hasOwn(raw, 'boolean_type') ? raw['boolean_type'] : true;
  if (typeof boolean !== 'boolean') throw new FlagDocumentError(`"boolean_type" must be true or false, got ${kind(boolean)}`, path);
  if (boolean && typeof raw['default'] !== 'boolean') {
    throw new FlagDocumentError(`"default" must be true or false for a boolean flag (set "boolean_type": false for other values), got ${kind(raw['default'])}`, path);
  }
  const rules = Object.hasOwn(raw, 'rules') ? raw['rules'] : {};
  if (!isObject(rules)) throw new FlagDocumentError(`"rules" must be an object of named rules, got ${kind(rules)}`, path);
  return {
    name,
    default: raw['default'],
    boolean,
    rules: Object.entries(rules).map(([rule, value]) => parseRule(`${path} › rule "${rule}"`, rule, value, boolean)),
  };
}

function parseRule(path: string, name: string, raw: unknown, boolean: boolean): FlagRule {
  if (!isObject(raw)) throw new FlagDocumentError(`must be an object, got ${kind(raw)}`, path);
  if (!Object.hasOwn(raw, 'when_match')) throw new FlagDocumentError('has no "when_match"', path);
  if (boolean && typeof raw['when_match'] !== 'boolean') throw new FlagDocumentError(`"when_match" must be true or false for a boolean flag, got ${kind(raw['when_match'])}`, path);
  const conditions = raw['conditions'];
  if (!Array.isArray(conditions) || conditions.length === 0) {
    throw new FlagDocumentError(`"conditions" must be a non-empty array, got ${kind(conditions)}`, path);
  }
  return { name, whenMatch: raw['when_match'], conditions: conditions.map((condition, i) => parseCondition(`${path} › condition ${i + 1}`, condition)) };
}

function parseCondition(path: string, raw: unknown): FlagCondition {
  if (!isObject(raw)) throw new FlagDocumentError(`must be an object, got ${kind(raw)}`, path);
  const { action, key, value } = { action: raw['action'], key: raw['key'], value: raw['value'] };
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new FlagDocumentError(`"action" must be one of ${ACTIONS.join(', ')}, got ${kind(action)}`, path);
  }
  if (typeof key !== 'string' || key === '') throw new FlagDocumentError(`"key" must be a non-empty string, got ${kind(key)}`, path);
  if (!Object.hasOwn(raw, 'value')) throw new FlagDocumentError('has no "value"', path);
  checkValue(path, action as Action, key, value);
  return { action: action as Action, key, value };
}

function checkValue(path: string, action: Action, key: string, value: unknown): void {
  const fail = (what: string): never => {
    throw new FlagDocumentError(`${action} needs ${what}`, path);
  };
  if (SCHEDULE_ACTIONS.has(action)) {
    if (key !== SCHEDULE_KEYS[action]) fail(`"key": "${SCHEDULE_KEYS[action]}", got ${kind(key)}`);
    if (!isObject(value)) return fail('an object "value"');
    const zone = value['TIMEZONE'];
    if (zone !== undefined && (typeof zone !== 'string' || !isTimeZone(zone))) fail(`an IANA "TIMEZONE" (like "Europe/Copenhagen"), got ${kind(zone)}`);
    if (action === 'SCHEDULE_BETWEEN_TIME_RANGE') {
      for (const end of ['START', 'END']) if (typeof value[end] !== 'string' || minutesOf(value[end] as string) === undefined) fail(`"${end}" as HH:MM (24 h), got ${kind(value[end])}`);
    } else if (action === 'SCHEDULE_BETWEEN_DATETIME_RANGE') {
      for (const end of ['START', 'END']) {
        if (typeof value[end] !== 'string' || Number.isNaN(instantOf(value[end] as string, zone as string | undefined))) fail(`"${end}" as an ISO 8601 date-time, got ${kind(value[end])}`);
      }
    } else {
      const days = value['DAYS'];
      if (!Array.isArray(days) || days.length === 0 || days.some((day) => !(DAYS as readonly unknown[]).includes(day))) fail(`"DAYS" as a non-empty list of ${DAYS.join(', ')}`);
    }
  } else if (action === 'MODULO_RANGE') {
    const range = isObject(value) ? value : {};
    const [base, start, end] = [range['BASE'], range['START'], range['END']];
    const integer = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
    if (!integer(base) || !integer(start) || !integer(end) || base <= 0 || start < 0 || start > end || end >= base) {
      fail('"value": { "BASE", "START", "END" } integers with BASE > 0 and 0 <= START <= END < BASE');
    }
  } else if (LIST_ACTIONS.has(action) && !Array.isArray(value)) {
    fail(`a list "value", got ${kind(value)}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? 'an object' : String(value);
}
