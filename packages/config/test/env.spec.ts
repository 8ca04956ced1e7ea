import { env, EnvError } from '../src/index.js';

const schema = {
  type: 'object',
  required: ['TABLE_NAME', 'PORT', 'ENDPOINT'],
  properties: {
    TABLE_NAME: { type: 'string', minLength: 1 },
    PORT: { type: 'integer', minimum: 1, maximum: 65535 },
    DEBUG: { type: 'boolean', default: false },
    ENDPOINT: { type: 'string', format: 'uri' },
    LEVEL: { enum: ['debug', 'info', 'warn'] },
  },
};

describe('env', () => {
  it('coerces, applies defaults, and returns only the schema\'s variables, frozen', async () => {
    const result = await env<{ TABLE_NAME: string; PORT: number; DEBUG: boolean; ENDPOINT: string }>(schema, {
      env: { TABLE_NAME: 'greetings', PORT: '8080', ENDPOINT: 'https://example.com/x', AWS_SECRET_ACCESS_KEY: 'shh' },
    });
    expect(result).toEqual({ TABLE_NAME: 'greetings', PORT: 8080, DEBUG: false, ENDPOINT: 'https://example.com/x' });
    expect(Object.isFrozen(result)).toBe(true);
    expect('AWS_SECRET_ACCESS_KEY' in result).toBe(false);
  });

  it('reports every problem at once, by name, without values', async () => {
    const error = await env(schema, { env: { PORT: '99999', ENDPOINT: 'not a uri with secret-token', DEBUG: 'maybe', LEVEL: 'loud' } }).catch((e) => e);
    expect(error).toBeInstanceOf(EnvError);
    expect([...error.problems].sort()).toEqual([
      'DEBUG must be boolean',
      'ENDPOINT must match format "uri"',
      'LEVEL must be equal to one of the allowed values',
      'PORT must be <= 65535',
      'TABLE_NAME is required',
    ]);
    expect(error.message).not.toContain('secret-token');
  });

  it('reads process.env by default and validates the whole environment without properties', async () => {
    process.env['FLEECE_ENV_TEST'] = '12';
    try {
      expect(await env({ type: 'object', properties: { FLEECE_ENV_TEST: { type: 'number' } } })).toEqual({ FLEECE_ENV_TEST: 12 });
      const error = await env({ type: 'object', additionalProperties: false, properties: undefined, patternProperties: { '^FLEECE_ENV_TEST$': {} } }).catch((e) => e);
      expect(error.problems.length).toBeGreaterThan(0);
      expect(error.problems[0]).toMatch(/ is not allowed$/);
    } finally {
      delete process.env['FLEECE_ENV_TEST'];
    }
  });

  it('rejects an invalid schema or options', async () => {
    await expect(env(null as never)).rejects.toThrow(TypeError);
    await expect(env({ type: 'nonsense' })).rejects.toThrow(/schema is not a valid JSON schema/);
    await expect(env({}, null as never)).rejects.toThrow(TypeError);
    await expect(env({}, { env: 1 as never })).rejects.toThrow(/env must be/);
  });

  it('reports other keywords with the variable name', async () => {
    const error = await env({ type: 'object', properties: { A: { type: 'string', pattern: '^x' } } }, { env: { A: 'y' } }).catch((e) => e);
    expect(error.problems).toEqual(['A must match pattern "^x"']);
  });
});
