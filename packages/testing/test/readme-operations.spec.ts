/**
 * The README's table of supported operations is generated from what each service registers: this
 * test fails when they differ. `UPDATE_README=1 npx jest test/readme-operations.spec.ts` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdentityStore, LOCAL_ACCOUNT } from '../src/credentials.js';
import { AppConfigRegistry } from '../src/services/appconfigdata.js';
import { StackRegistry } from '../src/services/cloudformation.js';
import { DynamoDbState } from '../src/services/dynamodb.js';
import { KmsStore } from '../src/services/kms.js';
import { LambdaRegistry } from '../src/services/lambda.js';
import { SERVICES, type ServiceContext } from '../src/services/registry.js';
import type { ServiceName } from '../src/index.js';

const START = '<!-- operations:start: generated from the code by test/readme-operations.spec.ts -->';
const END = '<!-- operations:end -->';

async function table(): Promise<string> {
  const context: ServiceContext = {
    region: 'us-east-1',
    account: LOCAL_ACCOUNT,
    identities: new IdentityStore(LOCAL_ACCOUNT),
    kms: new KmsStore('us-east-1', LOCAL_ACCOUNT),
    lambda: new LambdaRegistry('us-east-1', LOCAL_ACCOUNT),
    cloudformation: new StackRegistry('us-east-1', LOCAL_ACCOUNT),
    appconfig: new AppConfigRegistry(),
    dynamodb: new DynamoDbState(),
  };
  const rows: string[] = [];
  for (const [name, registration] of Object.entries(SERVICES) as Array<[ServiceName, (typeof SERVICES)[ServiceName]]>) {
    const definition = await registration.create(context);
    await definition.close?.();
    rows.push(`| ${name} | ${[...definition.operations].sort().join(', ')} | ${registration.notEmulated} |`);
  }
  return [START, '| service | operations | deliberately not emulated |', '|---|---|---|', ...rows, END].join('\n');
}

it('the README lists exactly the operations every service registers', async () => {
  const path = join(__dirname, '..', 'README.md');
  const readme = readFileSync(path, 'utf8');
  const expected = await table();
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  const current = start >= 0 && end > start ? readme.slice(start, end + END.length) : '';
  if (process.env['UPDATE_README'] === '1' && current && current !== expected) {
    writeFileSync(path, readme.replace(current, expected));
    return;
  }
  expect(current).toBe(expected);
});
