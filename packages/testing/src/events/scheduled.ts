import type { ScheduledEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { accountOf } from './shared.js';

/** Input of {@link scheduledEvent}. */
export interface ScheduledEventInput {
  /** Default `'test-schedule'`. */
  ruleName?: string;
  /** When the schedule fired, epoch ms or a Date. Default now. */
  time?: number | Date;
  region?: string;
  accountId?: string;
}

/** An EventBridge scheduled event, as a `rate()` or `cron()` rule delivers it. */
export function scheduledEvent(input: ScheduledEventInput = {}): ScheduledEvent<Record<string, never>> {
  const region = input.region ?? 'us-east-1';
  const account = accountOf(input);
  const time = new Date(input.time ?? Date.now());
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    // EventBridge gives whole seconds.
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:events:${region}:${account}:rule/${input.ruleName ?? 'test-schedule'}`],
    detail: {},
  };
}
