// Span ids are 64 random bits. Drawing them from a pooled buffer costs one syscall per 256 ids
// instead of one per id, which matters on the path of every traced call.
const POOL_IDS = 256;
const pool = Buffer.alloc(POOL_IDS * 8);
let next = POOL_IDS;

/** A fresh span id: 16 lowercase hex digits, never all zeros. */
export function newSpanId(): string {
  for (;;) {
    if (next === POOL_IDS) {
      // Fetched on first use: a static `import from 'node:crypto'` costs an ES module ~3 ms at load
      // (the builtin's namespace is built eagerly), paid even by containers that never trace.
      process.getBuiltinModule('node:crypto').randomFillSync(pool);
      next = 0;
    }
    const offset = next++ * 8;
    const id = pool.toString('hex', offset, offset + 8);
    if (id !== '0000000000000000') return id;
  }
}
