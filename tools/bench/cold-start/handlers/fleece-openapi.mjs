// @fleece/openapi: one validated operation routed from an inline OpenAPI 3 document.
import { openapi } from '@fleece/openapi';

const spec = {
  openapi: '3.0.3',
  info: { title: 'bench', version: '1.0' },
  paths: {
    '/items/{id}': {
      get: {
        operationId: 'getItem',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 40 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
        ],
        responses: { 200: { description: 'an item' } },
      },
    },
  },
};

export const handler = openapi(spec, {
  handlers: { getItem: ({ params }) => ({ id: params.path.id, limit: params.query.limit }) },
});
