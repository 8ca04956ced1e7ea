import fc from 'fast-check';

import type { FinishedSpan } from '../src/backend.js';
import { lambdaResourceAttributes, otlpProtocol, toOtelTraceId } from '../src/backends/otel.js';
import { spanAttributes, spanKind, spanName, statusMessage } from '../src/backends/otel-attributes.js';
import { importPeer, MissingPeerError } from '../src/backends/peer.js';
import { checkBackendOption, chooseBackend } from '../src/choose-backend.js';
import { configureXray } from '../src/index.js';

const base: FinishedSpan = {
  traceId: '1-5759e988-bd862e3fe1be46a994272793',
  id: '53995c3f42cd8ad8',
  parentId: '0123456789abcdef',
  name: 'work',
  startTime: 1,
  endTime: 2,
  error: false,
  fault: false,
  throttle: false,
};

describe('chooseBackend', () => {
  it('takes the option, then FLEECE_TRACING, then an OTLP endpoint or the ADOT wrapper, else the X-Ray SDK', () => {
    expect(chooseBackend('xray-sdk', { FLEECE_TRACING: 'otel', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' })).toBe('xray-sdk');
    expect(chooseBackend(undefined, { FLEECE_TRACING: 'xray-sdk', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' })).toBe('xray-sdk');
    expect(chooseBackend(undefined, { FLEECE_TRACING: ' otel ' })).toBe('otel');
    expect(chooseBackend(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toBe('otel');
    expect(chooseBackend(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4318/v1/traces' })).toBe('otel');
    expect(chooseBackend(undefined, { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' })).toBe('otel');
    expect(chooseBackend(undefined, { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument' })).toBe('otel');
    expect(chooseBackend(undefined, { AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap' })).toBe('xray-sdk');
    expect(chooseBackend(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: ' ', FLEECE_TRACING: '' })).toBe('xray-sdk');
    expect(chooseBackend(undefined, {})).toBe('xray-sdk');
  });

  it('names the variable or option holding another value', () => {
    expect(() => chooseBackend(undefined, { FLEECE_TRACING: 'jaeger' })).toThrow('@fleece/xray: FLEECE_TRACING must be "otel" or "xray-sdk", got "jaeger"');
    expect(() => checkBackendOption('OTEL')).toThrow('@fleece/xray: option "backend" must be "otel" or "xray-sdk", got "OTEL"');
    expect(() => configureXray({ backend: 42 as never })).toThrow('option "backend" must be "otel" or "xray-sdk", got 42');
    expect(() => checkBackendOption('x'.repeat(500))).toThrow(/got "x+\.\.\.$/);
  });

  it('never throws anything but its TypeError, whatever FLEECE_TRACING holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'otel', 'xray-sdk')), (value) => {
        try {
          expect(['otel', 'xray-sdk']).toContain(chooseBackend(undefined, { FLEECE_TRACING: value }));
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      }),
    );
  });
});

describe('importPeer', () => {
  it('names the package to install when that package is missing, and passes other failures through', async () => {
    const missing = Object.assign(new Error("Cannot find package '@opentelemetry/sdk-trace-base' imported from /var/task/index.mjs"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await importPeer('@opentelemetry/sdk-trace-base', '^2.12.1', () => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerError);
    expect((error as Error).message).toBe('@fleece/xray: the otel backend needs @opentelemetry/sdk-trace-base; install it: npm install @opentelemetry/sdk-trace-base@^2.12.1');
    expect((error as Error).cause).toBe(missing);
    const deeper = Object.assign(new Error("Cannot find module 'protobufjs'"), { code: 'MODULE_NOT_FOUND' });
    await expect(importPeer('@opentelemetry/api', '^1.9.1', () => Promise.reject(deeper))).rejects.toBe(deeper);
    await expect(importPeer('@opentelemetry/api', '^1.9.1', () => Promise.reject('odd'))).rejects.toBe('odd');
    await expect(importPeer('@opentelemetry/api', '^1.9.1', async () => 7)).resolves.toBe(7);
  });
});

describe('the OpenTelemetry mapping', () => {
  it('turns X-Ray ids and Lambda variables into their OpenTelemetry forms', () => {
    expect(toOtelTraceId('1-5759e988-bd862e3fe1be46a994272793')).toBe('5759e988bd862e3fe1be46a994272793');
    expect(lambdaResourceAttributes({ OTEL_SERVICE_NAME: 'svc', AWS_LAMBDA_FUNCTION_NAME: 'fn', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'lots' })).toEqual({
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'service.name': 'svc',
      'faas.name': 'fn',
    });
    expect(otlpProtocol({})).toBe('http/protobuf');
    expect(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toBe('http/protobuf');
    expect(() => otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow('@fleece/xray: OTEL_EXPORTER_OTLP_PROTOCOL must be "http/protobuf" or "http/json", got "grpc"');
  });

  it('maps an AWS call, an HTTP call and failures', () => {
    const aws: FinishedSpan = {
      ...base,
      name: 'DynamoDB',
      namespace: 'aws',
      error: true,
      throttle: true,
      aws: { service: 'DynamoDB', operation: 'GetItem', region: 'eu-west-1', requestId: 'R1', extendedRequestId: 'X2', retries: 2 },
      http: { status: 429, contentLength: 12 },
      failure: { error: Object.assign(new Error('slow down'), { name: 'ThrottlingException' }), remote: true },
    };
    expect(spanName(aws)).toBe('DynamoDB.GetItem');
    expect(spanKind(aws)).toBe(2);
    expect({ ...spanAttributes(aws) }).toEqual({
      'rpc.system': 'aws-api',
      'rpc.service': 'DynamoDB',
      'rpc.method': 'GetItem',
      'aws.region': 'eu-west-1',
      'aws.request_id': 'R1',
      'aws.extended_request_id': 'X2',
      'aws.xray.retries': 2,
      'http.response.status_code': 429,
      'http.response.body.size': 12,
    });
    expect(statusMessage(aws)).toBe('ThrottlingException: slow down');
    const http: FinishedSpan = { ...base, name: 'example.com', namespace: 'remote', fault: true, http: { method: 'GET', url: 'https://example.com/a', status: 503 } };
    expect({ ...spanAttributes(http) }).toEqual({ 'http.request.method': 'GET', 'url.full': 'https://example.com/a', 'http.response.status_code': 503 });
    expect(statusMessage(http)).toBe('HTTP 503');
    expect(spanKind(base)).toBe(0);
    expect(spanName(base)).toBe('work');
    expect(statusMessage(base)).toBeUndefined();
    expect(statusMessage({ ...base, fault: true, failure: { error: 'text', remote: false } })).toBe('text');
    expect(statusMessage({ ...base, fault: true, failure: { error: { message: 'plain' }, remote: false } })).toBe('plain');
    expect(statusMessage({ ...base, fault: true, failure: { error: { code: 1 }, remote: false } })).toBe('non-error object thrown');
    expect(statusMessage({ ...base, fault: true })).toBeUndefined();
  });

  it('keeps every annotation and metadata namespace apart from the attributes it adds, whatever their names', () => {
    const key = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/), fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf'));
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(fc.string(), fc.boolean(), fc.integer())), fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.jsonValue())), (annotations, metadata) => {
        const attributes = spanAttributes({ ...base, annotations, metadata });
        const keys = Object.keys(annotations);
        if (keys.length > 0) expect(attributes['aws.xray.annotations']).toEqual(keys);
        for (const k of keys) expect(attributes[k]).toBe(annotations[k]);
        for (const ns of Object.keys(metadata)) expect(JSON.parse(attributes[`aws.xray.metadata.${ns}`] as string)).toEqual(JSON.parse(JSON.stringify(metadata[ns])));
      }),
    );
  });
});
