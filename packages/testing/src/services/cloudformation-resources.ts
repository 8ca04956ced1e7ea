import { AwsServiceError } from '../http-service.js';
import { el, members, type QueryOperation } from '../protocols/query.js';
import type { Stack, StackRegistry } from './cloudformation.js';

type Resource = Stack['Resources'][number];

function render(stack: Stack, resource: Resource, timestampTag: string): string {
  return (
    el('StackName', stack.StackName) +
    el('StackId', stack.StackId) +
    el('LogicalResourceId', resource.LogicalResourceId) +
    el('PhysicalResourceId', resource.PhysicalResourceId) +
    el('ResourceType', resource.ResourceType) +
    el(timestampTag, stack.CreationTime.toISOString()) +
    el('ResourceStatus', resource.ResourceStatus) +
    '<DriftInformation><StackResourceDriftStatus>NOT_CHECKED</StackResourceDriftStatus></DriftInformation>'
  );
}

function stackOf(registry: StackRegistry, name: string): Stack {
  const stack = registry.find(name);
  if (!stack) throw new AwsServiceError('ValidationError', `Stack '${name}' does not exist`);
  return stack;
}

/** DescribeStackResource and DescribeStackResources over the resources a test registered with a stack. */
export function stackResourceOperations(registry: StackRegistry): Record<string, QueryOperation> {
  return {
    DescribeStackResource(params) {
      const name = params.get('StackName') ?? '';
      const logical = params.get('LogicalResourceId') ?? '';
      const stack = stackOf(registry, name);
      const resource = stack.Resources.find((r) => r.LogicalResourceId === logical);
      if (!resource) throw new AwsServiceError('ValidationError', `Resource ${logical} does not exist for stack ${name}`);
      return `<StackResourceDetail>${render(stack, resource, 'LastUpdatedTimestamp')}</StackResourceDetail>`;
    },
    DescribeStackResources(params) {
      const name = params.get('StackName');
      const physical = params.get('PhysicalResourceId');
      // AWS: StackName or PhysicalResourceId is required, not both.
      if ((name === null) === (physical === null)) {
        throw new AwsServiceError('ValidationError', 'Either StackName or PhysicalResourceId must be specified, but not both');
      }
      let stack: Stack;
      if (name !== null) stack = stackOf(registry, name);
      else {
        const owner = registry.stacks().find((s) => s.Resources.some((r) => r.PhysicalResourceId === physical));
        if (!owner) throw new AwsServiceError('ValidationError', `Stack for ${physical} does not exist`);
        stack = owner;
      }
      const logical = params.get('LogicalResourceId');
      const resources = stack.Resources.filter((r) => logical === null || r.LogicalResourceId === logical);
      return members('StackResources', resources, (r) => render(stack, r, 'Timestamp'));
    },
  };
}
