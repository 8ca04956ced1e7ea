import type { SendClient } from './clients.js';

/** The fields the library adds to the event it re-invokes its own function with. */
export interface PollFields {
  EventState: unknown;
  /** Epoch seconds (the origin's protocol unit). */
  CreationTime: number;
  /** Seconds (the origin's protocol unit). */
  Timeout: number;
  EventHop: number;
  EventPhysicalResourceId?: string;
}

// Fields this library computes afresh in every invocation; a payload must not carry stale ones.
const RECOMPUTED = ['StackStatus', 'StackStatusReason', 'EventPhysicalResourceId'];

/**
 * The payload of a self re-invoke: the event exactly as CloudFormation sent it (unresolved secret
 * references, so no resolved value travels), plus the poll fields.
 */
export function pollPayload(event: Record<string, unknown>, poll: PollFields): string {
  const base = Object.fromEntries(Object.entries(event).filter(([key]) => !RECOMPUTED.includes(key)));
  return JSON.stringify({ ...base, EventStatus: 'Poll', ...poll });
}

/** Invokes `functionArn` asynchronously (InvocationType Event) with `payload`. */
export async function invokeSelf(
  lambda: { client: SendClient; InvokeCommand: new (input: { FunctionName: string; InvocationType: 'Event'; Payload: Uint8Array }) => unknown },
  functionArn: string,
  payload: string,
  signal: AbortSignal,
): Promise<void> {
  const output = (await lambda.client.send(
    new lambda.InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: Buffer.from(payload, 'utf8') }),
    { abortSignal: signal },
  )) as { StatusCode?: number } | undefined;
  if (output?.StatusCode !== 202) {
    throw new Error(`Lambda answered the Event invoke with status ${String(output?.StatusCode)} instead of 202`);
  }
}
