// Every EMF line a test writes goes through here: the JSON schema written from AWS's EMF
// specification, plus the rules JSON Schema cannot state (target members, value counts).
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const schema = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'emf.schema.json'), 'utf8')) as object;

const validate = new Ajv({ allErrors: true }).compile(schema);

/** A parsed EMF line. */
export interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string; StorageResolution?: number }> }>;
  };
  [member: string]: unknown;
}

/** Parses `line` and fails the test unless it is a valid EMF document. */
export function checkEmf(line: string): EmfLine {
  expect(line).not.toMatch(/\n/);
  const document = JSON.parse(line) as EmfLine;
  if (!validate(document)) throw new Error(`not EMF: ${JSON.stringify(validate.errors)}\n${line.slice(0, 500)}`);
  for (const directive of document._aws.CloudWatchMetrics) {
    for (const set of directive.Dimensions) {
      for (const key of set) {
        // Each dimension key names a root member whose value is a string.
        const value = Object.getOwnPropertyDescriptor(document, key)?.value;
        if (typeof value !== 'string') throw new Error(`dimension ${key} has no string member: ${line.slice(0, 300)}`);
      }
    }
    for (const { Name } of directive.Metrics) {
      // Each metric names a root member: a number, or an array of at most 100 numbers.
      const value = Object.getOwnPropertyDescriptor(document, Name)?.value;
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.length > 100 || values.some((v) => typeof v !== 'number')) {
        throw new Error(`metric ${Name} has no valid member: ${line.slice(0, 300)}`);
      }
    }
  }
  return document;
}

/** A write target that keeps the lines it gets, each checked as EMF. */
export function collector(): { write: (line: string) => void; lines: EmfLine[] } {
  const lines: EmfLine[] = [];
  return { lines, write: (line) => lines.push(checkEmf(line)) };
}

/** The sum of every value of `name` over `lines` (CloudWatch adds the lines of a flush up). */
export function sumOf(lines: EmfLine[], name: string): number {
  let sum = 0;
  for (const line of lines) {
    const value = Object.getOwnPropertyDescriptor(line, name)?.value as number | number[] | undefined;
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) sum += v;
  }
  return sum;
}
