// The README's API example, run as written against dynalite.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext, startLocalAws, type LocalAws } from '@fleece/testing';
import { createIdempotencyTable, DynamoDBPersistence, idempotencyErrorResponse, idempotent } from '../src/index.js';

let aws: LocalAws;
const saved = { ...process.env };

beforeAll(async () => {
  aws = await startLocalAws({ services: ['dynamodb'] });
  Object.assign(process.env, aws.env());
});

afterAll(async () => {
  for (const name of Object.keys(aws.env())) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await aws.stop();
});

it('creates one order per Idempotency-Key, and answers 400 and 422', async () => {
  const persistence = new DynamoDBPersistence({ tableName: process.env['IDEMPOTENCY_TABLE_NAME'] ?? 'idempotency' });

  const createOrder = idempotent(
    async (event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
      const order = { id: randomUUID(), ...JSON.parse(event.body ?? '{}') };
      return { statusCode: 201, body: JSON.stringify(order) };
    },
    {
      persistence,
      key: 'headers."idempotency-key"',
      throwOnNoKey: true,
      payloadValidation: 'body',
      expiresAfterSeconds: 3600,
    },
  );

  async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
    try {
      return await createOrder(event, context);
    } catch (error) {
      const answer = idempotencyErrorResponse(error, { headers: { 'Access-Control-Allow-Origin': '*' } });
      if (answer) return answer;
      throw error;
    }
  }

  await createIdempotencyTable({ tableName: 'idempotency' });
  const event = { headers: { 'Idempotency-Key': 'order-1' }, body: '{"sku":"A1"}' } as unknown as APIGatewayProxyEvent;
  const first = await handler(event, lambdaContext());
  const again = await handler(event, lambdaContext());
  expect(first.statusCode).toBe(201);
  expect(again.body).toBe(first.body);
  expect(JSON.parse(first.body)).toMatchObject({ sku: 'A1' });
  const missing = await handler({ ...event, headers: {} }, lambdaContext());
  expect(missing.statusCode).toBe(400);
  expect(missing.headers).toMatchObject({ 'Access-Control-Allow-Origin': '*' });
  expect((await handler({ ...event, body: '{"sku":"B2"}' }, lambdaContext())).statusCode).toBe(422);
});
