import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cloudFormationEvent, lambdaContext, startLocalAws, startResponseServer, type LocalAws, type ResponseServer } from '@fleece/testing';
import { randomUUID } from 'node:crypto';
import type { CustomResourceOptions } from '../../src/index.js';
import { recordingLogger } from './http-server.js';

export const FUNCTION = 'cfn-resource';

/** Local Lambda, CloudFormation and Secrets Manager, a ResponseURL server, and a recording logger. */
export interface Harness {
  aws: LocalAws;
  responses: ResponseServer;
  log: ReturnType<typeof recordingLogger>;
  stackId: string;
  functionArn: string;
  /** Options wiring a CustomResource to the local services and the recording logger. */
  options(extra?: CustomResourceOptions): CustomResourceOptions;
  /** A custom resource event whose ResponseURL is named `name` on the response server. */
  event(type: 'Create' | 'Update' | 'Delete', name: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  /** A Lambda context for the function under test. */
  context(timeoutMs?: number, functionArn?: string): ReturnType<typeof lambdaContext>;
  /** The responses to `name`; the test asserts there is exactly one. */
  responsesTo(name: string): ResponseServer['responses'];
  createSecret(name: string, value?: string, binary?: Uint8Array): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const aws = await startLocalAws({ services: ['lambda', 'cloudformation', 'secretsmanager'] });
  const responses = await startResponseServer();
  const log = recordingLogger();
  const stack = aws.cloudformation.registerStack({ StackName: 'orders', StackStatus: 'UPDATE_IN_PROGRESS', StackStatusReason: 'User Initiated' });
  const functionArn = `arn:aws:lambda:${aws.region}:${aws.account}:function:${FUNCTION}`;
  const secrets = new SecretsManagerClient(aws.clientConfig('secretsmanager'));
  return {
    aws,
    responses,
    log,
    stackId: stack.StackId,
    functionArn,
    options: (extra = {}) => ({
      logger: log.logger,
      clientConfig: {
        lambda: { ...aws.clientConfig('lambda') },
        cloudFormation: { ...aws.clientConfig('cloudformation') },
        secretsManager: { ...aws.clientConfig('secretsmanager') },
      },
      ...extra,
    }),
    event(type, name, overrides = {}) {
      const ids: Record<'StackId' | 'RequestId' | 'LogicalResourceId', string> = { StackId: stack.StackId, RequestId: randomUUID(), LogicalResourceId: 'Thing' };
      for (const key of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
        if (typeof overrides[key] === 'string' && overrides[key] !== '') ids[key] = overrides[key] as string;
      }
      const built = cloudFormationEvent(type, {
        ResponseURL: responses.url(name, ids),
        ...ids,
        ServiceToken: functionArn,
        ResourceType: 'Custom::Thing',
        ResourceProperties: { Size: '3' },
        OldResourceProperties: { Size: '2' },
        PhysicalResourceId: 'thing-1',
      });
      return { ...built, ...overrides };
    },
    context: (timeoutMs = 10_000, arn = functionArn) => lambdaContext({ timeoutMs, functionName: FUNCTION, invokedFunctionArn: arn }),
    responsesTo: (name) => responses.responses.filter((r) => r.name === name),
    async createSecret(name, value, binary) {
      const created = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value, SecretBinary: binary }));
      return created.ARN!;
    },
    async close() {
      secrets.destroy();
      await responses.stop();
      await aws.stop();
    },
  };
}

/** The one response sent to `name`, asserting there is exactly one and it broke no protocol rule. */
export function onlyResponse(h: Harness, name: string): Record<string, unknown> {
  const sent = h.responsesTo(name);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.problems).toEqual([]);
  return sent[0]!.body!;
}
