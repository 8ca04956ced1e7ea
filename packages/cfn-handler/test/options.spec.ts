import { RetryPolicy } from '@fleece/retry';
import { CustomResource } from '../src/custom-resource.js';
import { settingsFrom } from '../src/options.js';

describe('options', () => {
  it('applies documented defaults', () => {
    const settings = settingsFrom();
    expect(settings).toMatchObject({
      resolveSecrets: true,
      stackStatus: true,
      marginMs: undefined,
      operationTimeoutMs: 300_000,
      maxHops: 8,
      responseAttemptTimeoutMs: 10_000,
      stackStatusTimeoutMs: 3000,
    });
    expect(settings.responseRetry).toBeInstanceOf(RetryPolicy);
    expect(settings.responseRetry.retries).toBe(100);
  });

  it.each([
    [{ resolveSecrets: 'no' }, /"resolveSecrets" must be a boolean, got "no"/],
    [{ stackStatus: 1 }, /"stackStatus" must be a boolean/],
    [{ marginMs: -1 }, /"marginMs" must be a finite number of milliseconds >= 0/],
    [{ operationTimeoutMs: 0 }, /"operationTimeoutMs" must be a finite number of milliseconds > 0/],
    [{ maxHops: 16 }, /"maxHops" must be an integer from 1 to 12, got 16/],
    [{ maxHops: 1.5 }, /"maxHops"/],
    [{ responseRetry: { retries: -1 } }, /"responseRetry" is invalid: .*retries/],
    [{ responseAttemptTimeoutMs: Infinity }, /"responseAttemptTimeoutMs"/],
    [{ stackStatusTimeoutMs: 'soon' }, /"stackStatusTimeoutMs"/],
    [{ logger: { info: () => undefined } }, /"logger" must be an object with debug, info, warn and error/],
    [{ clients: { lambda: {} } }, /"clients.lambda" must be an AWS SDK v3 client/],
    [{ clients: [] }, /"clients" must be an object/],
    [{ clientConfig: 'x' }, /"clientConfig" must be an object/],
    [{ clock: 5 }, /"clock" must be a function/],
  ])('rejects %j at construction, naming the option', (options, message) => {
    expect(() => new CustomResource(options as never)).toThrow(TypeError);
    expect(() => new CustomResource(options as never)).toThrow(message);
  });

  it('rejects a non-object', () => {
    expect(() => settingsFrom(null as never)).toThrow(/"options" must be an object/);
  });

  it('rejects a registration that is not a function, and a second one', () => {
    const resource = new CustomResource();
    expect(() => resource.create('nope' as never)).toThrow(/create\(\) needs a function, got string/);
    resource.create(async () => undefined);
    expect(() => resource.create(async () => undefined)).toThrow(/a create function is already registered/);
  });
});
