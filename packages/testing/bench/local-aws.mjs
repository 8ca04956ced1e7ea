// Local AWS over the real wire vs aws-sdk-client-mock in-process: what a test pays for realism.
// Run `npm run build` first, then `node bench/local-aws.mjs` from packages/testing.
import { DynamoDBClient, GetItemCommand, PutItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { EncryptCommand, KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { startLocalAws } from '@fleece/testing';
import { mockClient } from 'aws-sdk-client-mock';

const ROUNDS = 5;
const CALLS = 300;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function perCall(fn) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i += 1) await fn(i);
    rounds.push(Number(process.hrtime.bigint() - start) / 1e6 / CALLS);
  }
  return median(rounds);
}

const startStop = [];
for (let i = 0; i < 10; i += 1) {
  const start = process.hrtime.bigint();
  const aws = await startLocalAws();
  await aws.stop();
  startStop.push(Number(process.hrtime.bigint() - start) / 1e6);
}

const aws = await startLocalAws({ services: ['kms', 'dynamodb'] });
const kms = new KMSClient(aws.clientConfig('kms'));
const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
const dynamo = new DynamoDBClient(aws.clientConfig('dynamodb'));
await dynamo.send(
  new CreateTableCommand({
    TableName: 'bench',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);

const mockedKms = new KMSClient(aws.clientConfig('kms'));
mockClient(mockedKms).on(EncryptCommand).resolves({ CiphertextBlob: new Uint8Array(64), KeyId: KeyMetadata.Arn });
const mockedDynamo = new DynamoDBClient(aws.clientConfig('dynamodb'));
mockClient(mockedDynamo).on(PutItemCommand).resolves({}).on(GetItemCommand).resolves({ Item: { pk: { S: 'x' } } });

const encrypt = (client) => () => client.send(new EncryptCommand({ KeyId: KeyMetadata.KeyId, Plaintext: Buffer.from('secret value') }));
const putGet = (client) => async (i) => {
  await client.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: `k${i}` }, v: { N: String(i) } } }));
  await client.send(new GetItemCommand({ TableName: 'bench', Key: { pk: { S: `k${i}` } } }));
};

const kmsLocal = await perCall(encrypt(kms));
const kmsMock = await perCall(encrypt(mockedKms));
const dynamoLocal = await perCall(putGet(dynamo));
const dynamoMock = await perCall(putGet(mockedDynamo));
kms.destroy();
dynamo.destroy();
await aws.stop();

const fmt = (ms) => `${ms.toFixed(3)} ms`;
console.log(`startLocalAws() all 8 services + stop(): median ${fmt(median(startStop))} over 10`);
console.log(`KMS Encrypt            local ${fmt(kmsLocal)}  mock ${fmt(kmsMock)}  ratio ${(kmsLocal / kmsMock).toFixed(1)}x`);
console.log(`DynamoDB Put+GetItem   local ${fmt(dynamoLocal)}  mock ${fmt(dynamoMock)}  ratio ${(dynamoLocal / dynamoMock).toFixed(1)}x`);
console.log(`(medians of ${ROUNDS} rounds x ${CALLS} calls, node ${process.version})`);
