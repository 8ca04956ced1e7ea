import { randomUUID } from 'node:crypto';
import { AwsServiceError, type ServiceDefinition } from '../http-service.js';
import { el, members, queryService } from '../protocols/query.js';
import { checkString, invalid } from '../validate.js';
import { stackResourceOperations } from './cloudformation-resources.js';

/** A stack output as DescribeStacks lists it. */
export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

/** What a test registers; only `StackName` is required. */
export interface StackInput {
  StackName: string;
  /** Default an ARN made from the region, account, name and a UUID. */
  StackId?: string;
  /** Default `'CREATE_COMPLETE'`. */
  StackStatus?: string;
  StackStatusReason?: string;
  Description?: string;
  /** A list as AWS gives it, or a plain `{ key: value }` map. */
  Outputs?: StackOutput[] | Record<string, string>;
  Parameters?: Array<{ ParameterKey: string; ParameterValue: string }> | Record<string, string>;
  Tags?: Array<{ Key: string; Value: string }> | Record<string, string>;
  /** Default now. */
  CreationTime?: Date;
  /** What DescribeStackResource(s) answer; `ResourceStatus` defaults to `'CREATE_COMPLETE'`. */
  Resources?: StackResourceInput[];
}

/** One resource of a registered stack. */
export interface StackResourceInput {
  LogicalResourceId: string;
  ResourceType: string;
  /** Default `<stack name>-<logical id>-<random>`, as CloudFormation names resources. */
  PhysicalResourceId?: string;
  ResourceStatus?: string;
}

/** A registered stack, as DescribeStacks answers it. */
export interface Stack {
  StackName: string;
  StackId: string;
  StackStatus: string;
  StackStatusReason?: string;
  Description?: string;
  Outputs: StackOutput[];
  Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  Tags: Array<{ Key: string; Value: string }>;
  CreationTime: Date;
  Resources: Array<Required<StackResourceInput>>;
}

/** The stacks a local CloudFormation describes. */
export interface LocalCloudFormation {
  /** Registers (or replaces, by name) a stack that DescribeStacks will answer with. */
  registerStack(stack: StackInput): Stack;
  /** Forgets a stack by name or id; DescribeStacks then answers ValidationError, as for a deleted stack. */
  removeStack(nameOrId: string): void;
  /** The registered stacks. */
  stacks(): Stack[];
}

function pairs<K extends string, V extends string>(input: Array<Record<K | V, string>> | Record<string, string> | undefined, k: K, v: V): Array<Record<K | V, string>> {
  if (input === undefined) return [];
  if (Array.isArray(input)) return input.map((item) => ({ ...item }));
  return Object.entries(input).map(([key, value]) => ({ [k]: key, [v]: value }) as Record<K | V, string>);
}

/** Stacks registered in-process for the local CloudFormation. */
export class StackRegistry implements LocalCloudFormation {
  private readonly byName = new Map<string, Stack>();

  constructor(
    readonly region: string,
    readonly account: string,
  ) {}

  registerStack(input: StackInput): Stack {
    if (input === null || typeof input !== 'object') invalid('stack', 'an object with a StackName', input);
    if (typeof input.StackName !== 'string' || !/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(input.StackName)) {
      invalid('StackName', 'a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)', input.StackName);
    }
    checkString('StackId', input.StackId);
    checkString('StackStatus', input.StackStatus);
    const stack: Stack = {
      StackName: input.StackName,
      StackId: input.StackId ?? `arn:aws:cloudformation:${this.region}:${this.account}:stack/${input.StackName}/${randomUUID()}`,
      StackStatus: input.StackStatus ?? 'CREATE_COMPLETE',
      Outputs: Array.isArray(input.Outputs)
        ? input.Outputs.map((o) => ({ ...o }))
        : pairs(input.Outputs, 'OutputKey', 'OutputValue'),
      Parameters: pairs(input.Parameters, 'ParameterKey', 'ParameterValue'),
      Tags: pairs(input.Tags, 'Key', 'Value'),
      CreationTime: input.CreationTime ?? new Date(),
      Resources: (input.Resources ?? []).map((r) => ({
        LogicalResourceId: r.LogicalResourceId,
        ResourceType: r.ResourceType,
        PhysicalResourceId: r.PhysicalResourceId ?? `${input.StackName}-${r.LogicalResourceId}-${randomUUID().slice(0, 12).toUpperCase()}`,
        ResourceStatus: r.ResourceStatus ?? 'CREATE_COMPLETE',
      })),
      ...(input.StackStatusReason !== undefined && { StackStatusReason: input.StackStatusReason }),
      ...(input.Description !== undefined && { Description: input.Description }),
    };
    this.byName.set(stack.StackName, stack);
    return stack;
  }

  removeStack(nameOrId: string): void {
    const found = this.find(nameOrId);
    if (found) this.byName.delete(found.StackName);
  }

  stacks(): Stack[] {
    return [...this.byName.values()];
  }

  find(nameOrId: string): Stack | undefined {
    return this.byName.get(nameOrId) ?? [...this.byName.values()].find((s) => s.StackId === nameOrId);
  }
}

function renderStack(stack: Stack): string {
  return (
    el('StackName', stack.StackName) +
    el('StackId', stack.StackId) +
    el('Description', stack.Description) +
    el('CreationTime', stack.CreationTime.toISOString()) +
    el('StackStatus', stack.StackStatus) +
    el('StackStatusReason', stack.StackStatusReason) +
    members('Parameters', stack.Parameters, (p) => el('ParameterKey', p.ParameterKey) + el('ParameterValue', p.ParameterValue)) +
    members('Outputs', stack.Outputs, (o) => el('OutputKey', o.OutputKey) + el('OutputValue', o.OutputValue) + el('Description', o.Description) + el('ExportName', o.ExportName)) +
    members('Tags', stack.Tags, (t) => el('Key', t.Key) + el('Value', t.Value))
  );
}

/** CloudFormation over the query protocol: DescribeStacks for registered stacks. */
export function cloudFormationService(registry: StackRegistry): ServiceDefinition {
  return queryService({
    name: 'cloudformation',
    title: 'CloudFormation',
    signingName: 'cloudformation',
    version: '2010-05-15',
    xmlns: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    operations: {
      ...stackResourceOperations(registry),
      DescribeStacks(params) {
        const name = params.get('StackName');
        let stacks: Stack[];
        if (name) {
          const found = registry.find(name);
          if (!found) throw new AwsServiceError('ValidationError', `Stack with id ${name} does not exist`);
          stacks = [found];
        } else {
          stacks = registry.stacks();
        }
        return members('Stacks', stacks, renderStack);
      },
    },
  });
}
