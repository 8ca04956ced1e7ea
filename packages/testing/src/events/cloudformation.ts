import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { ResponseServer } from '../response-server.js';
import { invalid } from '../validate.js';
import { accountOf, applyOverrides } from './shared.js';

/** Input of {@link cloudFormationEvent}. */
export interface CloudFormationEventInput {
  /** Hands out the ResponseURL and checks that the handler's response echoes this event. */
  responseServer?: ResponseServer;
  /** Use this ResponseURL instead of one from `responseServer`. */
  ResponseURL?: string;
  ResourceProperties?: Record<string, unknown>;
  /** Update only. Default `{}` plus the ServiceToken. */
  OldResourceProperties?: Record<string, unknown>;
  /** Update and Delete. Default a generated id. */
  PhysicalResourceId?: string;
  /** Default `'MyResource'`. */
  LogicalResourceId?: string;
  /** Default `'Custom::Resource'`. */
  ResourceType?: string;
  StackId?: string;
  RequestId?: string;
  /** Default the ARN of a `custom-resource` function in the local account. */
  ServiceToken?: string;
  region?: string;
  accountId?: string;
}

/**
 * A CloudFormation custom-resource request. With `responseServer`, its ResponseURL comes from that
 * server, which then checks that the response echoes this event's StackId, RequestId and
 * LogicalResourceId.
 */
export function cloudFormationEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  input: CloudFormationEventInput,
  overrides?: Partial<CloudFormationCustomResourceEvent>,
): CloudFormationCustomResourceEvent {
  if (requestType !== 'Create' && requestType !== 'Update' && requestType !== 'Delete') {
    invalid('requestType', "'Create', 'Update' or 'Delete'", requestType);
  }
  if (input === null || typeof input !== 'object') invalid('input', 'an object', input);
  if (!input.responseServer && !input.ResponseURL) {
    invalid('responseServer', 'a server from startResponseServer() (or pass ResponseURL)', input.responseServer);
  }
  const region = input.region ?? 'us-east-1';
  const account = accountOf(input);
  const ServiceToken = input.ServiceToken ?? `arn:aws:lambda:${region}:${account}:function:custom-resource`;
  const StackId = input.StackId ?? `arn:aws:cloudformation:${region}:${account}:stack/test-stack/${randomUUID()}`;
  const RequestId = input.RequestId ?? randomUUID();
  const LogicalResourceId = input.LogicalResourceId ?? 'MyResource';
  const ResponseURL = input.ResponseURL ?? (input.responseServer as ResponseServer).url(undefined, { StackId, RequestId, LogicalResourceId });
  const common = {
    ServiceToken,
    ResponseURL,
    StackId,
    RequestId,
    LogicalResourceId,
    ResourceType: input.ResourceType ?? 'Custom::Resource',
    ResourceProperties: { ServiceToken, ...(input.ResourceProperties ?? {}) },
  };
  const physical = input.PhysicalResourceId ?? `${LogicalResourceId}-${randomUUID().slice(0, 8)}`;
  let event: CloudFormationCustomResourceEvent;
  if (requestType === 'Create') event = { RequestType: 'Create', ...common };
  else if (requestType === 'Update') {
    event = { RequestType: 'Update', ...common, PhysicalResourceId: physical, OldResourceProperties: { ServiceToken, ...(input.OldResourceProperties ?? {}) } };
  } else event = { RequestType: 'Delete', ...common, PhysicalResourceId: physical };
  return applyOverrides(event, overrides);
}
