import type { S3Client } from '@aws-sdk/client-s3';
import type { HttpResult } from './http-result.js';

/** What is known of a job: still running, finished with a response, or failed (details in the log). */
export type JobState = { status: 'running'; startedAt: number } | { status: 'complete'; response: HttpResult } | { status: 'failed'; errorId: string };

/**
 * Jobs in S3, one folder per job: `state.json`, and `request.json` (the original event) for a
 * request that does not travel inline in the asynchronous invocation's payload.
 */
export class JobStore {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  /** Records a new job, and its request unless that travels inline (`undefined`). */
  async create(jobId: string, request: unknown, startedAt: number): Promise<void> {
    if (request !== undefined) await this.#put(`${jobId}/request.json`, request);
    await this.#put(`${jobId}/state.json`, { status: 'running', startedAt } satisfies JobState);
  }

  /** The original request of a job. */
  async request(jobId: string): Promise<unknown> {
    const request = await this.#get(`${jobId}/request.json`);
    if (request === undefined) throw new Error(`job ${jobId} has no stored request`);
    return request;
  }

  /** The job's state, or `undefined` for a job nobody started (or whose objects expired). */
  state(jobId: string): Promise<JobState | undefined> {
    return this.#get(`${jobId}/state.json`) as Promise<JobState | undefined>;
  }

  /** Records how the job ended. */
  finish(jobId: string, state: Exclude<JobState, { status: 'running' }>): Promise<void> {
    return this.#put(`${jobId}/state.json`, state);
  }

  async #put(name: string, value: unknown): Promise<void> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await (await this.s3()).send(new PutObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${name}`, Body: JSON.stringify(value), ContentType: 'application/json' }));
  }

  async #get(name: string): Promise<unknown> {
    const { GetObjectCommand, NoSuchKey } = await import('@aws-sdk/client-s3');
    try {
      const object = await (await this.s3()).send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${name}` }));
      return JSON.parse(await object.Body!.transformToString('utf8'));
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
