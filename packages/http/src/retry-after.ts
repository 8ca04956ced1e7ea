/** Statuses whose `Retry-After` is honoured (urllib3's set): payload too large, throttled, unavailable. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([413, 429, 503]);

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds or an HTTP-date (RFC 9110
 * §10.2.3). A date in the past means 0. `undefined` for a missing or malformed header, which is
 * then ignored rather than trusted.
 *
 * @param now - clock for HTTP-dates, injectable for tests.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: () => number = Date.now): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) {
    const ms = Number(text) * 1000;
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  // Only an IMF-fixdate or the obsolete forms Date.parse understands, and never a bare number.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now());
}
