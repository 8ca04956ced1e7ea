import type { SQSEvent, SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { invalid } from '../validate.js';
import { accountOf, dictFrom } from './shared.js';

/** One message of {@link sqsEvent}: a body (objects become JSON), or the body with details. */
export type SqsMessageInput =
  | string
  | {
      body: unknown;
      messageId?: string;
      /** Values as strings, or full SQS message attributes. */
      messageAttributes?: Record<string, string | SQSMessageAttribute>;
      /** FIFO queues: default `'group-1'`. */
      groupId?: string;
      /** Default `'1'`. */
      receiveCount?: number;
      /** Extra or replaced record attributes. */
      attributes?: Partial<SQSRecord['attributes']>;
    };

/** Input of {@link sqsEvent}. */
export interface SqsEventInput {
  /** Default `'test-queue'`; a name ending in `.fifo` makes FIFO records (group id, sequence number). */
  queueName?: string;
  /** Epoch ms the messages were sent. Default now. */
  time?: number;
  region?: string;
  accountId?: string;
}

/** An SQS batch as a Lambda event source mapping delivers it, with real `md5OfBody` digests. */
export function sqsEvent(messages: SqsMessageInput[], input: SqsEventInput = {}): SQSEvent {
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > 10_000) {
    invalid('messages', 'a non-empty array of messages (at most 10000)', messages);
  }
  const region = input.region ?? 'us-east-1';
  const queueName = input.queueName ?? 'test-queue';
  const fifo = queueName.endsWith('.fifo');
  const time = input.time ?? Date.now();
  const arn = `arn:aws:sqs:${region}:${accountOf(input)}:${queueName}`;
  return {
    Records: messages.map((message, index): SQSRecord => {
      const detail = typeof message === 'string' ? { body: message } : message;
      if (detail === null || typeof detail !== 'object' || !('body' in detail)) invalid(`messages[${index}]`, 'a string or an object with a body', message);
      const body = typeof detail.body === 'string' ? detail.body : JSON.stringify(detail.body);
      const messageId = detail.messageId ?? randomUUID();
      const attributes: SQSRecord['attributes'] = {
        ApproximateReceiveCount: String(detail.receiveCount ?? 1),
        SentTimestamp: String(time),
        SenderId: 'AIDAFLEECELOCALUSER01',
        ApproximateFirstReceiveTimestamp: String(time + 1),
        ...(fifo && {
          MessageGroupId: detail.groupId ?? 'group-1',
          MessageDeduplicationId: createHash('sha256').update(body).digest('hex'),
          SequenceNumber: String(18_800_000_000_000_000_000n + BigInt(index)),
        }),
        ...detail.attributes,
      };
      const messageAttributes = dictFrom<SQSMessageAttribute>(
        Object.entries(detail.messageAttributes ?? {}).map(([name, value]) => [
          name,
          typeof value === 'string' ? { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' } : value,
        ] as const),
      );
      return {
        messageId,
        receiptHandle: randomBytes(48).toString('base64'),
        body,
        attributes,
        messageAttributes,
        md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: region,
      };
    }),
  };
}
