import { Writable } from 'node:stream';

/** A real Writable that keeps each chunk written to it, so tests parse the lines back. */
export function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    stream,
    chunks,
    /** Every line, parsed; fails the test if a chunk is not exactly one JSON object and a newline. */
    records(): Record<string, unknown>[] {
      return chunks.map((chunk) => {
        expect(chunk.endsWith('\n')).toBe(true);
        expect(chunk.slice(0, -1)).not.toContain('\n');
        return JSON.parse(chunk) as Record<string, unknown>;
      });
    },
    clear(): void {
      chunks.length = 0;
    },
  };
}

/** A clock and a sleep that advances it instantly, recording each wait (as @fleece/retry's tests). */
export function fakeTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}
