/** A thrown value's message, for a Reason or a log line. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'an unprintable value';
  }
}

/** A thrown value's name, for a reason when its message is empty. */
export function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
