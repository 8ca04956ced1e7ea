import type { RequestListener } from 'node:http';
import { AwsServiceError } from '../http-service.js';
import { callEngine, errorCode, keyNames, keyOf, type Item } from './dynamodb-engine.js';

// AWS: "Any additional UpdateTimeToLive calls for the same table during this one hour duration
// result in a ValidationException."
const SETTLE_MS = 60 * 60 * 1000;
// AWS's TTL process leaves alone items whose expiry lies more than five years in the past.
const FIVE_YEARS_S = 5 * 365 * 24 * 60 * 60;

interface TtlSetting {
  attributeName: string;
  enabled: boolean;
  changedAt: number;
}

/**
 * Time to Live per table. Expiry stays lazy, as in AWS, where an expired item "will still show up
 * in reads, queries, and scans" until the background process deletes it (typically within two
 * days): here that process runs when a test calls {@link TtlRegistry.deleteExpired}.
 */
export class TtlRegistry {
  private readonly settings = new Map<string, TtlSetting>();

  constructor(private readonly now: () => number = Date.now) {}

  /** UpdateTimeToLive. */
  async update(handler: RequestListener, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const table = input['TableName'];
    const spec = input['TimeToLiveSpecification'] as { AttributeName?: unknown; Enabled?: unknown } | undefined;
    if (typeof table !== 'string' || !spec || typeof spec.AttributeName !== 'string' || spec.AttributeName === '' || typeof spec.Enabled !== 'boolean') {
      throw new AwsServiceError('ValidationException', 'One or more parameter values were invalid: TableName and TimeToLiveSpecification (AttributeName, Enabled) are required');
    }
    if (!(await keyNames(handler, table))) throw new AwsServiceError('ResourceNotFoundException', 'Requested resource not found');
    const current = this.settings.get(table);
    if (spec.Enabled && current?.enabled) throw new AwsServiceError('ValidationException', 'TimeToLive is already enabled');
    if (!spec.Enabled && !current?.enabled) throw new AwsServiceError('ValidationException', 'TimeToLive is already disabled');
    if (current && this.now() - current.changedAt < SETTLE_MS) {
      throw new AwsServiceError('ValidationException', 'Time to live has been modified multiple times within a fixed interval');
    }
    this.settings.set(table, { attributeName: spec.AttributeName, enabled: spec.Enabled, changedAt: this.now() });
    return { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } };
  }

  /** DescribeTimeToLive: settles at once (AWS takes up to an hour through ENABLING/DISABLING). */
  async describe(handler: RequestListener, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const table = input['TableName'];
    if (typeof table !== 'string' || !(await keyNames(handler, table))) throw new AwsServiceError('ResourceNotFoundException', 'Requested resource not found');
    const setting = this.settings.get(table);
    if (!setting) return { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } };
    return {
      TimeToLiveDescription: setting.enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: setting.attributeName } : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  /** Forgets a deleted table's setting. */
  forget(table: string): void {
    this.settings.delete(table);
  }

  /**
   * What AWS's TTL process does, now: deletes every item of a TTL-enabled table whose TTL attribute
   * is a Number of epoch seconds at or before `nowMs` and not more than five years before it.
   * Returns how many items it deleted.
   */
  async deleteExpired(handler: RequestListener, nowMs = this.now()): Promise<number> {
    const nowS = nowMs / 1000;
    let deleted = 0;
    for (const [table, setting] of this.settings) {
      if (!setting.enabled) continue;
      const names = await keyNames(handler, table);
      if (!names) continue;
      let start: Item | undefined;
      do {
        const page = await callEngine(handler, 'Scan', { TableName: table, ...(start && { ExclusiveStartKey: start }) });
        if (errorCode(page)) break;
        for (const item of (page.body['Items'] ?? []) as Item[]) {
          const raw = item[setting.attributeName]?.['N'];
          const expiry = typeof raw === 'string' ? Number(raw) : NaN;
          if (!Number.isFinite(expiry) || expiry > nowS || expiry < nowS - FIVE_YEARS_S) continue;
          const done = await callEngine(handler, 'DeleteItem', { TableName: table, Key: keyOf(item, names) });
          if (!errorCode(done)) deleted++;
        }
        start = page.body['LastEvaluatedKey'] as Item | undefined;
      } while (start);
    }
    return deleted;
  }
}
