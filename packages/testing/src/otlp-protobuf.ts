// A decoder for the few messages of OTLP's trace protobuf (opentelemetry/proto/collector/trace/v1)
// that a test reads: resource, scope, span, event, status and attribute values. Hand-written rather
// than a protobuf library plus the .proto files: fifteen fields, no code generation step, and no
// dependency for a package every test installs. Unknown fields are skipped by wire type, as
// protobuf requires, so newer senders still decode.

/** A decoded attribute value. 64-bit integers are numbers when safe, else decimal strings. */
export type OtlpValue = string | number | boolean | null | Uint8Array | OtlpValue[] | { [key: string]: OtlpValue };

/** One span as the receiver stores it, whatever the encoding it arrived in. */
export interface OtlpSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 hex digits, or `undefined` for a root span. */
  parentSpanId: string | undefined;
  name: string;
  /** 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  /** Prototype-less: any key is an ordinary key. */
  attributes: Record<string, OtlpValue>;
  events: { name: string; timeUnixNano: bigint; attributes: Record<string, OtlpValue> }[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, OtlpValue>;
  scope: { name: string; version: string };
}

/** A body that is not a valid ExportTraceServiceRequest. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new OtlpDecodeError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result & 0xffffffffffffffffn;
    }
    throw new OtlpDecodeError('varint longer than 10 bytes');
  }

  fixed(bytes: 4 | 8): Uint8Array {
    if (this.pos + bytes > this.end) throw new OtlpDecodeError('truncated fixed-width field');
    const out = this.buf.subarray(this.pos, this.pos + bytes);
    this.pos += bytes;
    return out;
  }

  sub(): Reader {
    const length = this.varint();
    if (length > BigInt(this.end - this.pos)) throw new OtlpDecodeError('length-delimited field runs past its message');
    const start = this.pos;
    this.pos += Number(length);
    const reader = new Reader(this.buf, this.pos);
    reader.pos = start;
    return reader;
  }

  /** Calls `field(number, wireType)` for each field; `field` returns false to have it skipped. */
  each(field: (number: number, wire: number) => boolean): void {
    while (this.pos < this.end) {
      const tag = this.varint();
      const number = Number(tag >> 3n);
      const wire = Number(tag & 7n);
      if (number === 0) throw new OtlpDecodeError('field number 0');
      if (!field(number, wire)) this.skip(wire);
    }
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.fixed(8);
    else if (wire === 2) this.sub();
    else if (wire === 5) this.fixed(4);
    else throw new OtlpDecodeError(`unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const u64 = (bytes: Uint8Array): bigint => Buffer.from(bytes).readBigUInt64LE(0);
const int64 = (value: bigint): number | string => {
  const signed = BigInt.asIntN(64, value);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed.toString();
};

function anyValue(r: Reader): OtlpValue {
  let value: OtlpValue = null;
  r.each((n, w) => {
    if (n === 1 && w === 2) {
      value = utf8.decode(bytesOf(r));
      return true;
    }
    return otherValue(r, n, w, (v) => (value = v));
  });
  return value;
}

// Reads the bytes of a length-delimited field at the reader's position.
function bytesOf(r: Reader): Uint8Array {
  const s = r.sub();
  return s.buf.subarray(s.pos, s.end);
}

function otherValue(r: Reader, n: number, w: number, set: (v: OtlpValue) => void): boolean {
  if (n === 2 && w === 0) set(r.varint() !== 0n);
  else if (n === 3 && w === 0) set(int64(r.varint()));
  else if (n === 4 && w === 1) set(Buffer.from(r.fixed(8)).readDoubleLE(0));
  else if (n === 5 && w === 2) set(arrayValue(r.sub()));
  else if (n === 6 && w === 2) set(keyValues(r.sub()));
  else if (n === 7 && w === 2) set(Uint8Array.from(bytesOf(r)));
  else return false;
  return true;
}

function arrayValue(r: Reader): OtlpValue[] {
  const values: OtlpValue[] = [];
  r.each((n, w) => n === 1 && w === 2 && (values.push(anyValue(r.sub())), true));
  return values;
}

function keyValues(r: Reader, into: Record<string, OtlpValue> = Object.create(null) as Record<string, OtlpValue>): Record<string, OtlpValue> {
  r.each((n, w) => {
    if (n !== 1 || w !== 2) return false;
    keyValue(r.sub(), into);
    return true;
  });
  return into;
}

function keyValue(r: Reader, into: Record<string, OtlpValue>): void {
  let key = '';
  let value: OtlpValue = null;
  r.each((n, w) => {
    if (w !== 2) return false;
    if (n === 1) key = utf8.decode(bytesOf(r));
    else if (n === 2) value = anyValue(r.sub());
    else return false;
    return true;
  });
  into[key] = value;
}

function span(r: Reader, resource: Record<string, OtlpValue>, scope: OtlpSpan['scope']): OtlpSpan {
  const out: OtlpSpan = {
    traceId: '', spanId: '', parentSpanId: undefined, name: '', kind: 0, startTimeUnixNano: 0n, endTimeUnixNano: 0n,
    attributes: Object.create(null) as Record<string, OtlpValue>, events: [], status: { code: 0, message: '' }, resource, scope,
  };
  r.each((n, w) => {
    if (w === 2 && n === 1) out.traceId = hex(bytesOf(r));
    else if (w === 2 && n === 2) out.spanId = hex(bytesOf(r));
    else if (w === 2 && n === 4) out.parentSpanId = hex(bytesOf(r)) || undefined;
    else if (w === 2 && n === 5) out.name = utf8.decode(bytesOf(r));
    else if (w === 0 && n === 6) out.kind = Number(r.varint());
    else if (w === 1 && n === 7) out.startTimeUnixNano = u64(r.fixed(8));
    else if (w === 1 && n === 8) out.endTimeUnixNano = u64(r.fixed(8));
    else if (w === 2 && n === 9) keyValue(r.sub(), out.attributes);
    else if (w === 2 && n === 11) out.events.push(event(r.sub()));
    else if (w === 2 && n === 15) out.status = status(r.sub());
    else return false;
    return true;
  });
  return out;
}

function event(r: Reader): OtlpSpan['events'][number] {
  const out = { name: '', timeUnixNano: 0n, attributes: Object.create(null) as Record<string, OtlpValue> };
  r.each((n, w) => {
    if (w === 1 && n === 1) out.timeUnixNano = u64(r.fixed(8));
    else if (w === 2 && n === 2) out.name = utf8.decode(bytesOf(r));
    else if (w === 2 && n === 3) keyValue(r.sub(), out.attributes);
    else return false;
    return true;
  });
  return out;
}

function status(r: Reader): OtlpSpan['status'] {
  const out = { code: 0, message: '' };
  r.each((n, w) => {
    if (w === 2 && n === 2) out.message = utf8.decode(bytesOf(r));
    else if (w === 0 && n === 3) out.code = Number(r.varint());
    else return false;
    return true;
  });
  return out;
}

function scopeOf(r: Reader): OtlpSpan['scope'] {
  const out = { name: '', version: '' };
  r.each((n, w) => {
    if (w === 2 && n === 1) out.name = utf8.decode(bytesOf(r));
    else if (w === 2 && n === 2) out.version = utf8.decode(bytesOf(r));
    else return false;
    return true;
  });
  return out;
}

function resourceSpans(r: Reader, spans: OtlpSpan[]): void {
  // Fields may come in any order: gather the scopes first, decode them once the resource is known.
  let resource = Object.create(null) as Record<string, OtlpValue>;
  const scopes: Reader[] = [];
  r.each((n, w) => {
    if (w === 2 && n === 1) resource = keyValues(r.sub());
    else if (w === 2 && n === 2) scopes.push(r.sub());
    else return false;
    return true;
  });
  for (const s of scopes) {
    let scope = { name: '', version: '' };
    const raw: Reader[] = [];
    s.each((n, w) => {
      if (w === 2 && n === 1) scope = scopeOf(s.sub());
      else if (w === 2 && n === 2) raw.push(s.sub());
      else return false;
      return true;
    });
    for (const one of raw) spans.push(span(one, resource, scope));
  }
}

/**
 * Decodes an OTLP `ExportTraceServiceRequest` in protobuf into its spans.
 *
 * @throws OtlpDecodeError on a body that is not valid protobuf of that shape (truncated, bad wire type).
 */
export function decodeTraceRequest(body: Uint8Array): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  const r = new Reader(body);
  r.each((n, w) => {
    if (n !== 1 || w !== 2) return false;
    resourceSpans(r.sub(), spans);
    return true;
  });
  return spans;
}
