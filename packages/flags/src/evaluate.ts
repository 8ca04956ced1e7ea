import { COMPARATORS, SCHEDULE_ACTIONS } from './conditions.js';
import type { Flag, FlagRule } from './flag-document.js';

/** What a rule's conditions are evaluated against: the caller's attributes (tier, source IP, user agent…). */
export type FlagContext = Readonly<Record<string, unknown>>;

/**
 * The value of `flag` for `context` at `now`: the `when_match` of the first rule whose conditions
 * all hold, else the flag's default. A key missing from the context fails its condition, also a
 * negative one (`NOT_EQUALS`), and only the context's own keys count (`constructor` is not in `{}`).
 */
export function evaluateFlag(flag: Flag, context: FlagContext, now: Date): unknown {
  for (const rule of flag.rules) {
    if (matches(rule, context, now)) return rule.whenMatch;
  }
  return flag.default;
}

function matches(rule: FlagRule, context: FlagContext, now: Date): boolean {
  for (const { action, key, value } of rule.conditions) {
    const clock = SCHEDULE_ACTIONS.has(action);
    if (!clock && !Object.hasOwn(context, key)) return false;
    if (!COMPARATORS[action](clock ? undefined : context[key], value, now)) return false;
  }
  return true;
}
