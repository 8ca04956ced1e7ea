// The hand-written custom resource most teams write (the shape of AWS's cfn-response module).
import http from 'node:http';
import https from 'node:https';

export const handler = async (event, context) => {
  let status = 'SUCCESS';
  let data;
  let reason;
  try {
    data = { Value: String(Number(event.ResourceProperties.Size) * 2) };
  } catch (error) {
    status = 'FAILED';
    reason = String(error?.message);
  }
  const body = JSON.stringify({
    Status: status,
    Reason: reason ?? `See the details in CloudWatch Log Stream: ${context.logStreamName}`,
    PhysicalResourceId: context.logStreamName,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data,
  });
  const url = new URL(event.ResponseURL);
  await new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', resolve);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
};
