/**
 * A URL fit for messages and logs: scheme, host and path only. Query strings and fragments can
 * carry secrets (API keys, presigned signatures) and so can user info (`user:pass@`), so all
 * three are dropped.
 */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = url instanceof URL ? url : new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    // A relative or malformed URL: cut what could carry secrets by hand.
    return String(url).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1').replace(/[?#].*$/s, '');
  }
}

/** Redacts every absolute URL inside free text, such as a got error message. */
export function redactText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"<>`]+/gi, (url) => redactUrl(url));
}
