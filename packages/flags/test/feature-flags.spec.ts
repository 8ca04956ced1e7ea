import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalAws, type LocalAws } from '@fleece/testing';
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { appConfigSource, documentSource, FeatureFlags, FlagDocumentError, fileSource, FlagSourceError } from '../src/index.js';

const FLAGS = {
  enhanced_greeting: {
    default: false,
    rules: {
      'curl users': { when_match: true, conditions: [{ action: 'STARTSWITH', key: 'user_agent', value: 'curl/' }] },
      'office network': { when_match: true, conditions: [{ action: 'STARTSWITH', key: 'source_ip', value: '10.' }] },
    },
  },
  greeting_style: { boolean_type: false, default: 'plain', rules: { fr: { when_match: 'fancy', conditions: [{ action: 'EQUALS', key: 'lang', value: 'fr' }] } } },
  always: { default: true },
};

describe('FeatureFlags', () => {
  it('evaluates flags and lists the enabled boolean ones', async () => {
    const flags = new FeatureFlags({ source: documentSource(() => FLAGS) });
    await expect(flags.evaluate('enhanced_greeting', { user_agent: 'curl/8.5.0' }, false)).resolves.toBe(true);
    await expect(flags.evaluate('enhanced_greeting', { user_agent: 'Mozilla/5.0', source_ip: '192.0.2.1' }, false)).resolves.toBe(false);
    await expect(flags.evaluate('greeting_style', { lang: 'fr' }, 'plain')).resolves.toBe('fancy');
    await expect(flags.evaluate('missing', {}, 'fallback')).resolves.toBe('fallback');
    await expect(flags.evaluate('constructor', {}, 'fallback')).resolves.toBe('fallback');
    await expect(flags.enabledFeatures({ source_ip: '10.1.2.3' })).resolves.toEqual(['enhanced_greeting', 'always']);
  });

  it('throws FlagDocumentError for a malformed document instead of answering false', async () => {
    const flags = new FeatureFlags({ source: documentSource(() => ({ beta: { default: false, rules: { r: { when_match: true, conditions: [{ action: 'EQUAL', key: 'a', value: 1 }] } } } })) });
    await expect(flags.evaluate('beta', {}, false)).rejects.toThrow(FlagDocumentError);
    await expect(flags.evaluate('beta', {}, false)).rejects.toThrow('flag "beta" › rule "r" › condition 1');
  });

  it('answers the fallback, and says so, when the source cannot be read', async () => {
    const warn = jest.fn();
    const flags = new FeatureFlags({ source: fileSource('/no/such/flags.json'), logger: { warn } });
    await expect(flags.evaluate('beta', {}, 'fallback')).resolves.toBe('fallback');
    await expect(flags.enabledFeatures({})).resolves.toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not be loaded'), expect.objectContaining({ error: expect.any(FlagSourceError) }));
  });

  it('reads a local JSON file again when it changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-'));
    try {
      const path = join(dir, 'flags.json');
      writeFileSync(path, JSON.stringify({ beta: { default: false } }));
      utimesSync(path, 1000, 1000);
      const flags = new FeatureFlags({ source: fileSource(path) });
      await expect(flags.evaluate('beta', {}, true)).resolves.toBe(false);
      writeFileSync(path, JSON.stringify({ beta: { default: true } }));
      utimesSync(path, 2000, 2000);
      await expect(flags.evaluate('beta', {}, false)).resolves.toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates its options, naming them', () => {
    expect(() => new FeatureFlags({} as never)).toThrow(/@fleece\/flags: option "source" must be a FlagSource/);
    expect(() => new FeatureFlags({ source: documentSource(() => ({})), logger: {} as never })).toThrow(/option "logger"/);
    expect(() => appConfigSource({ application: 'a', environment: '', profile: 'p' })).toThrow(/option "environment" must be a non-empty string/);
    expect(() => appConfigSource({ application: 'a', environment: 'e', profile: 'p', maxAgeMs: -1 })).toThrow(/option "maxAgeMs"/);
  });
});

describe('appConfigSource, over the wire to the local AppConfig Data', () => {
  let aws: LocalAws;
  let client: AppConfigDataClient;
  beforeAll(async () => {
    aws = await startLocalAws({ services: ['appconfigdata'] });
    client = new AppConfigDataClient(aws.clientConfig('appconfigdata'));
  });
  afterAll(async () => {
    client.destroy();
    await aws.stop();
  });
  beforeEach(() => aws.resetRequests());
  const operations = () => aws.requests('appconfigdata').map((r) => r.operation);

  it('starts one session, answers from its copy within maxAge, polls with the handed-on token after it, and reads a new version', async () => {
    aws.appconfig.publish('greeting', 'prod', 'features', { content: FLAGS });
    let now = 1_000_000;
    const flags = new FeatureFlags({ source: appConfigSource({ application: 'greeting', environment: 'prod', profile: 'features', maxAgeMs: 30_000, client, now: () => now }) });
    // Overlapping first calls share one session.
    const answers = await Promise.all(Array.from({ length: 10 }, () => flags.evaluate('enhanced_greeting', { source_ip: '10.0.0.7' }, false)));
    expect(answers).toEqual(Array(10).fill(true));
    expect(operations()).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
    now += 29_000;
    await flags.evaluate('always', {}, false);
    expect(operations()).toHaveLength(2);
    now += 31_000; // past maxAge and the 30 s poll interval the session asked for
    await expect(flags.evaluate('always', {}, false)).resolves.toBe(true); // empty answer: unchanged
    expect(operations()).toEqual(['StartConfigurationSession', 'GetLatestConfiguration', 'GetLatestConfiguration']);
    aws.appconfig.publish('greeting', 'prod', 'features', { content: { ...FLAGS, always: { default: false } } });
    now += 31_000;
    await expect(flags.evaluate('always', {}, true)).resolves.toBe(false);
  });

  it('respects a poll interval longer than maxAge', async () => {
    aws.appconfig.publish('greeting', 'dev', 'features', { content: FLAGS });
    aws.appconfig.pollIntervalSeconds = 120;
    try {
      let now = 0;
      const source = appConfigSource({ application: 'greeting', environment: 'dev', profile: 'features', maxAgeMs: 1000, client, now: () => now });
      await source.load();
      now += 60_000;
      await source.load();
      expect(operations().filter((op) => op === 'GetLatestConfiguration')).toHaveLength(1);
      now += 61_000;
      await source.load();
      expect(operations().filter((op) => op === 'GetLatestConfiguration')).toHaveLength(2);
    } finally {
      aws.appconfig.pollIntervalSeconds = undefined;
    }
  });

  it('keeps answering the last document when a refresh fails, and starts a new session next time', async () => {
    aws.appconfig.publish('greeting', 'test', 'features', { content: FLAGS });
    let now = 0;
    const warn = jest.fn();
    const broken = new AppConfigDataClient({ ...aws.clientConfig('appconfigdata'), endpoint: 'http://127.0.0.1:9' });
    let active: AppConfigDataClient = client;
    const proxy = { send: (command: never) => active.send(command) } as unknown as AppConfigDataClient;
    const source = appConfigSource({ application: 'greeting', environment: 'test', profile: 'features', maxAgeMs: 15_000, client: proxy, now: () => now, logger: { warn } });
    const first = await source.load();
    active = broken;
    now += 61_000;
    await expect(source.load()).resolves.toBe(first);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('answering the document fetched before'));
    active = client;
    now += 61_000;
    await expect(source.load()).resolves.toEqual(FLAGS);
    expect(operations().filter((op) => op === 'StartConfigurationSession')).toHaveLength(2);
    broken.destroy();
  });

  it('fails with FlagSourceError when there is no document yet', async () => {
    const source = appConfigSource({ application: 'greeting', environment: 'none', profile: 'features', client });
    await expect(source.load()).rejects.toThrow(FlagSourceError);
    await expect(source.load()).rejects.toThrow(/greeting\/none\/features/);
  });
});
