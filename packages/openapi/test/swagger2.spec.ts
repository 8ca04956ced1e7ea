import { openapi } from '../src/index.js';
import { context, v1 } from './events.js';

const swagger = {
  swagger: '2.0',
  info: { title: 'legacy', version: '1' },
  basePath: '/v1',
  definitions: { Greeting: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } },
  paths: {
    '/greetings/{id}': {
      get: {
        operationId: 'getGreeting',
        parameters: [
          { name: 'id', in: 'path', required: true, type: 'integer' },
          { name: 'lang', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'csv' },
        ],
        responses: { 200: { description: 'ok', schema: { $ref: '#/definitions/Greeting' } } },
      },
      put: {
        operationId: 'putGreeting',
        parameters: [
          { name: 'id', in: 'path', required: true, type: 'integer' },
          { name: 'greeting', in: 'body', required: true, schema: { $ref: '#/definitions/Greeting' } },
        ],
        responses: { 200: { description: 'ok' } },
      },
    },
  },
};

describe('Swagger 2.0', () => {
  const calls: unknown[] = [];
  const api = openapi(swagger, {
    handlers: {
      getGreeting: (request) => (calls.push(request.params), { text: 'hello' }),
      putGreeting: (request) => (calls.push(request.body), request.body),
    },
  });

  it('routes under the base path with parameters typed from the parameter itself', async () => {
    const result = await api(v1('GET', '/v1/greetings/7?lang=en,fr'), context);
    expect(result.statusCode).toBe(200);
    expect(calls.pop()).toMatchObject({ path: { id: 7 }, query: { lang: ['en', 'fr'] } });
    expect((await api(v1('GET', '/greetings/7'), context)).statusCode).toBe(404);
  });

  it('validates the body parameter against its definition', async () => {
    const bad = await api(v1('PUT', '/v1/greetings/7', { headers: { 'content-type': ['application/json'] }, body: '{}' }), context);
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body!).errors).toEqual([{ in: 'body', name: '/text', message: 'is required' }]);
    const ok = await api(v1('PUT', '/v1/greetings/7', { headers: { 'content-type': ['application/json'] }, body: '{"text":"hi"}' }), context);
    expect(ok.statusCode).toBe(200);
  });
});
