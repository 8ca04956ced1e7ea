import { eventProblem, loggableUrl, responseUrlOf } from '../src/event.js';

const good = {
  RequestType: 'Update',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=abc',
  StackId: 'arn:aws:cloudformation:us-east-1:1:stack/s/u',
  RequestId: 'r',
  LogicalResourceId: 'L',
  PhysicalResourceId: 'p',
  ResourceProperties: { ServiceToken: 't' },
};

describe('responseUrlOf / loggableUrl', () => {
  it('accepts absolute http(s) URLs only', () => {
    expect(responseUrlOf(good)?.hostname).toMatch(/s3\.amazonaws\.com$/);
    expect(responseUrlOf({ ResponseURL: 'ftp://x/y' })).toBeUndefined();
    expect(responseUrlOf({ ResponseURL: 'not a url' })).toBeUndefined();
    expect(responseUrlOf({ ResponseURL: 5 })).toBeUndefined();
    expect(responseUrlOf(null)).toBeUndefined();
  });

  it('drops the query string (the signature) and any credentials', () => {
    const url = new URL('https://user:pw@bucket.s3.amazonaws.com/path/key?X-Amz-Signature=secret#frag');
    expect(loggableUrl(url)).toBe('https://bucket.s3.amazonaws.com/path/key');
  });
});

describe('eventProblem', () => {
  it('accepts a well-formed event', () => {
    expect(eventProblem(good)).toBeUndefined();
    expect(eventProblem({ ...good, RequestType: 'Create', PhysicalResourceId: undefined })).toBeUndefined();
    expect(eventProblem({ ...good, EventStatus: 'Poll', CreationTime: 1, Timeout: 300, EventHop: 1 })).toBeUndefined();
    // The ServiceToken at the top (as CloudFormation also sends it) is enough.
    expect(eventProblem({ ...good, ResourceProperties: {}, ServiceToken: 't' })).toBeUndefined();
  });

  it.each([
    [{ StackId: '' }, /no StackId/],
    [{ RequestId: undefined, LogicalResourceId: 3 }, /no RequestId, LogicalResourceId/],
    [{ RequestType: 'Destroy' }, /RequestType "Destroy"/],
    [{ PhysicalResourceId: undefined }, /Update event has no PhysicalResourceId/],
    [{ ResourceProperties: 'x', ServiceToken: 't' }, /ResourceProperties is not an object/],
    [{ ResourceProperties: undefined }, /no ResourceProperties, ServiceToken$/],
    [{ ResourceProperties: null, ServiceToken: 't' }, /no ResourceProperties$/],
    [{ ResourceProperties: { ServiceToken: '' } }, /no ServiceToken$/],
    [{ ResourceProperties: {}, ServiceToken: 't', StackId: undefined }, /no StackId$/],
    [{ EventStatus: 'Done' }, /EventStatus "Done"/],
    [{ EventStatus: 'Poll', CreationTime: 1, Timeout: 'long', EventHop: 1 }, /Timeout is not a number/],
  ])('names what is wrong with %j', (change, why) => {
    expect(eventProblem({ ...good, ...change })).toMatch(why);
  });
});
