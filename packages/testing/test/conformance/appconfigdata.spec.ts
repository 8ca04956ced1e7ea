// AppConfig Data as AWS documents it (API reference: StartConfigurationSession,
// GetLatestConfiguration), through the AWS SDK v3 against the local service.
import { AppConfigDataClient, GetLatestConfigurationCommand, StartConfigurationSessionCommand } from '@aws-sdk/client-appconfigdata';
import { startLocalAws, type LocalAws } from '../../src/index.js';

describe('local AppConfig Data', () => {
  let aws: LocalAws;
  let client: AppConfigDataClient;
  const ids = { ApplicationIdentifier: 'app', EnvironmentIdentifier: 'prod', ConfigurationProfileIdentifier: 'flags' };

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['appconfigdata'] });
    client = new AppConfigDataClient(aws.clientConfig('appconfigdata'));
    aws.appconfig.publish('app', 'prod', 'flags', { content: { beta: { default: false } }, versionLabel: 'v1' });
  });
  afterAll(async () => {
    client.destroy();
    await aws.stop();
  });

  it('starts a session and answers the deployed bytes with the next token and the poll interval', async () => {
    const { InitialConfigurationToken } = await client.send(new StartConfigurationSessionCommand({ ...ids, RequiredMinimumPollIntervalInSeconds: 30 }));
    const first = await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: InitialConfigurationToken }));
    expect(JSON.parse(Buffer.from(first.Configuration!).toString())).toEqual({ beta: { default: false } });
    expect(first.ContentType).toBe('application/json');
    expect(first.VersionLabel).toBe('v1');
    expect(first.NextPollIntervalInSeconds).toBe(30);
    // Documented: an empty configuration means the client already has the latest version.
    const second = await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: first.NextPollConfigurationToken }));
    expect(second.Configuration?.length ?? 0).toBe(0);
    aws.appconfig.publish('app', 'prod', 'flags', { content: '{"beta":{"default":true}}', versionLabel: 'v2' });
    const third = await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: second.NextPollConfigurationToken }));
    expect(Buffer.from(third.Configuration!).toString()).toBe('{"beta":{"default":true}}');
  });

  it('refuses a token used twice (each token serves one call) and an unknown one', async () => {
    const { InitialConfigurationToken } = await client.send(new StartConfigurationSessionCommand(ids));
    await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: InitialConfigurationToken }));
    await expect(client.send(new GetLatestConfigurationCommand({ ConfigurationToken: InitialConfigurationToken }))).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(client.send(new GetLatestConfigurationCommand({ ConfigurationToken: 'made-up' }))).rejects.toMatchObject({ name: 'BadRequestException' });
  });

  it('refuses a poll interval outside 15–86400 s and an undeployed profile', async () => {
    await expect(client.send(new StartConfigurationSessionCommand({ ...ids, RequiredMinimumPollIntervalInSeconds: 5 }))).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(client.send(new StartConfigurationSessionCommand({ ...ids, ConfigurationProfileIdentifier: 'none' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  // Not emulated (AWS does not document a server-side error for it): polling faster than the interval.
});
