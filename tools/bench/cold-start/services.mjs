// What the first invocations of the cold-start handlers talk to, all on 127.0.0.1: @fleece/testing's
// local AWS (DynamoDB through dynalite, SSM, KMS), a node:http server (GET for the HTTP clients, PUT
// for the CloudFormation ResponseURL) and a UDP sink for X-Ray documents. Returns the environment
// variables that point an unmodified handler at them, and counters to check the handlers really
// called them.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createKeyProvider, sealArtifact } from '@fleece/config';
import { startLocalAws } from '@fleece/testing';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { probeEnv } from './measure.mjs';

export async function startServices() {
  const aws = await startLocalAws({ services: ['dynamodb', 'ssm', 'kms'] });
  const env = probeEnv(aws.env());

  const dynamodb = new DynamoDBClient(aws.clientConfig('dynamodb'));
  for (const TableName of [env.BENCH_TABLE, env.BENCH_IDEMPOTENCY_TABLE_FLEECE, env.BENCH_IDEMPOTENCY_TABLE_POWERTOOLS]) {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  dynamodb.destroy();

  const ssm = new SSMClient(aws.clientConfig('ssm'));
  await ssm.send(new PutParameterCommand({ Name: env.BENCH_PARAMETER, Value: 'hello {name}', Type: 'String' }));
  ssm.destroy();

  // The stage configuration loadConfig() decrypts: a 4 KB-ish tree sealed under a local KMS key.
  const kms = new KMSClient(aws.clientConfig('kms'));
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/bench-config', TargetKeyId: KeyMetadata.KeyId }));
  const config = { service: 'bench', database: { host: 'db.internal', password: 'not-a-real-secret' }, flags: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`flag${i}`, i % 2 === 0])) };
  const artifact = await sealArtifact(config, { stage: 'prod', key: 'alias/bench-config', keys: createKeyProvider({ kms }) });
  kms.destroy();
  env.FLEECE_CONFIG = JSON.stringify(artifact);

  const http = { get: 0, put: 0 };
  const body = JSON.stringify({ ok: true, items: [1, 2, 3] });
  const server = createServer((request, response) => {
    if (request.method === 'GET') http.get++;
    if (request.method === 'PUT') http.put++;
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  env.BENCH_HTTP_URL = `${origin}/items?page=1`;

  const xray = { documents: 0 };
  const sink = createSocket('udp4');
  sink.on('message', () => xray.documents++);
  await new Promise((resolve) => sink.bind(0, '127.0.0.1', resolve));
  env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${sink.address().port}`;

  return {
    env,
    responseUrl: (id) => `${origin}/cfn/${id}?X-Amz-Signature=bench`,
    counts: () => ({
      http: { ...http },
      xrayDocuments: xray.documents,
      dynamodb: aws.requests('dynamodb').length,
      ssm: aws.requests('ssm').length,
      kms: aws.requests('kms').length,
    }),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      sink.close();
      await aws.stop();
    },
  };
}
