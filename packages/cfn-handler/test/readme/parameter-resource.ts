// The README's simple example, verbatim, so that the documented code is the tested code.
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { client } from '@fleece/aws';
import { CustomResource, isRollingBack } from '../../src/index.js';

type Props = { Name: string; Value: string };
const ssm = client(SSMClient, { timeout: 2000 });

export const resource = new CustomResource<Props>()
  .create(async ({ ResourceProperties: p }, _context, { signal }) => {
    await ssm.send(new PutParameterCommand({ Name: p.Name, Value: p.Value, Type: 'String' }), { abortSignal: signal });
    return { physicalResourceId: p.Name, data: { Name: p.Name } };
  })
  .update(async (event, _context, { signal }) => {
    const p = event.ResourceProperties;
    if (isRollingBack(event)) console.info('rolling back to', p.Value);
    await ssm.send(new PutParameterCommand({ Name: p.Name, Value: p.Value, Type: 'String', Overwrite: true }), { abortSignal: signal });
    // A new Name is a new physical id: CloudFormation then deletes the old parameter itself.
    return { physicalResourceId: p.Name, data: { Name: p.Name } };
  })
  .delete(async ({ PhysicalResourceId }, _context, { signal }) => {
    await ssm.send(new DeleteParameterCommand({ Name: PhysicalResourceId }), { abortSignal: signal }).catch((error) => {
      if (error.name !== 'ParameterNotFound') throw error; // already gone is fine
    });
  });

export const handler = resource.handler;

/** For the test: lets the example's module-level client go. */
export const destroy = () => ssm.destroy();
