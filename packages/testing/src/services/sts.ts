import type { IdentityStore } from '../credentials.js';
import { AwsServiceError, type ServiceDefinition } from '../http-service.js';
import { el, queryService } from '../protocols/query.js';

const MIN_DURATION_S = 900;
const MAX_DURATION_S = 43200;

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message);
}

/** STS over the query protocol: who am I, and temporary credentials every local service accepts. */
export function stsService(identities: IdentityStore): ServiceDefinition {
  return queryService({
    name: 'sts',
    title: 'STS',
    signingName: 'sts',
    version: '2011-06-15',
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    operations: {
      GetCallerIdentity(_params, { identity }) {
        return el('Arn', identity.arn) + el('UserId', identity.userId) + el('Account', identity.account);
      },
      AssumeRole(params) {
        const roleArn = params.get('RoleArn') ?? '';
        const sessionName = params.get('RoleSessionName') ?? '';
        if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
          throw validation(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be a role ARN (arn:aws:iam::<account>:role/<name>)`);
        }
        if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
          throw validation(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and match [\\w+=,.@-]*`);
        }
        const durationS = params.has('DurationSeconds') ? Number(params.get('DurationSeconds')) : 3600;
        if (!Number.isInteger(durationS) || durationS < MIN_DURATION_S || durationS > MAX_DURATION_S) {
          throw validation(`1 validation error detected: Value '${params.get('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value between ${MIN_DURATION_S} and ${MAX_DURATION_S}`);
        }
        const issued = identities.issue(roleArn, sessionName, durationS * 1000);
        return (
          '<Credentials>' +
          el('AccessKeyId', issued.accessKeyId) +
          el('SecretAccessKey', issued.secretAccessKey) +
          el('SessionToken', issued.sessionToken) +
          el('Expiration', new Date(issued.expiresAt ?? Date.now()).toISOString()) +
          '</Credentials><AssumedRoleUser>' +
          el('AssumedRoleId', issued.userId) +
          el('Arn', issued.arn) +
          '</AssumedRoleUser>'
        );
      },
    },
  });
}
