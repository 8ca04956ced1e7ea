import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { client, DEFAULT_TIMEOUTS, setDefaultTimeout, useClientPlugin, type ClientOptions, type TimeoutDefaults, type Timeouts } from '../src/index.js';
import { local } from './servers.js';

/** The timeouts client() resolved, as a plugin sees them. */
function timeoutsOf(options: ClientOptions): Timeouts {
  let seen: Timeouts | undefined;
  const stop = useClientPlugin((_client, info) => {
    seen = info.timeouts;
  });
  try {
    client(DynamoDBClient, { ...local, ...options }).destroy();
  } finally {
    stop();
  }
  return seen!;
}

afterEach(() => setDefaultTimeout(undefined));

describe('timeout precedence', () => {
  // Per-client connect/read, then per-client timeout, then global connect/read, then global
  // timeout, then the built-in default.
  const table: [string, ClientOptions, TimeoutDefaults | number | undefined, Timeouts][] = [
    ['built-in default', {}, undefined, { connect: 3000, read: 30_000 }],
    ['global timeout', {}, 500, { connect: 500, read: 500 }],
    ['global timeout as an object', {}, { timeout: 600 }, { connect: 600, read: 600 }],
    ['global connect over global timeout', {}, { timeout: 600, connect: 100 }, { connect: 100, read: 600 }],
    ['global read over global timeout', {}, { timeout: 600, read: 200 }, { connect: 600, read: 200 }],
    ['global connect alone, read built-in', {}, { connect: 100 }, { connect: 100, read: 30_000 }],
    ['client timeout over global connect/read', { timeout: 700 }, { connect: 100, read: 200 }, { connect: 700, read: 700 }],
    ['client connect over client timeout', { timeout: 700, connectTimeout: 50 }, { connect: 100, read: 200 }, { connect: 50, read: 700 }],
    ['client read over client timeout', { timeout: 700, readTimeout: 60 }, 900, { connect: 700, read: 60 }],
    ['client connect, global read', { connectTimeout: 50 }, { read: 200, timeout: 900 }, { connect: 50, read: 200 }],
    ['client read, global timeout for connect', { readTimeout: 60 }, 900, { connect: 900, read: 60 }],
    ['client connect and read over everything', { connectTimeout: 1, readTimeout: 2, timeout: 3 }, { connect: 4, read: 5, timeout: 6 }, { connect: 1, read: 2 }],
  ];

  it.each(table)('%s', (_name, options, global, expected) => {
    setDefaultTimeout(global);
    expect(timeoutsOf(options)).toEqual(expected);
  });

  it('documents a finite built-in default', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ connect: 3000, read: 30_000 });
    expect(Object.isFrozen(DEFAULT_TIMEOUTS)).toBe(true);
  });

  it('replaces the whole default on each call', () => {
    setDefaultTimeout({ connect: 100 });
    setDefaultTimeout({ read: 200 });
    expect(timeoutsOf({})).toEqual({ connect: 3000, read: 200 });
  });

  it('rejects invalid defaults with a TypeError naming the option', () => {
    expect(() => setDefaultTimeout(0)).toThrow(/option "timeout" must be a finite number of milliseconds > 0, got 0/);
    expect(() => setDefaultTimeout({ connect: -5 })).toThrow(/option "connect"/);
    expect(() => setDefaultTimeout({ read: NaN })).toThrow(/option "read"/);
    expect(() => setDefaultTimeout({ timeout: Infinity })).toThrow(/option "timeout"/);
    expect(() => setDefaultTimeout('5' as never)).toThrow(/option "timeout" must be a number of milliseconds or/);
    expect(() => setDefaultTimeout(null as never)).toThrow(TypeError);
  });
});
