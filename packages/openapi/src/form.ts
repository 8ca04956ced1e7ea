import { bag } from './bag.js';
import { decodeComponent } from './request.js';
import { deepObject } from './parameters.js';
import type { MediaSpec } from './spec.js';
import type { ValueShape } from './spec-parameters.js';

/** A file of a `multipart/form-data` body. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

type Fields = Record<string, Array<string | UploadedFile>>;

/** Parses `a=1&a=2&b` into fields (a map without a prototype); a broken escape is kept as written. */
export function parseUrlEncoded(text: string): Fields {
  const fields: Fields = bag<Fields[string]>();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeComponent(s, 'form body');
      } catch {
        return s;
      }
    };
    (fields[decode(eq < 0 ? pair : pair.slice(0, eq))] ??= []).push(eq < 0 ? '' : decode(pair.slice(eq + 1)));
  }
  return fields;
}

/**
 * Parses a `multipart/form-data` body (RFC 7578) into fields: text parts as strings, parts with a
 * filename or a non-text type as {@link UploadedFile}s. Undefined when the boundary is missing or
 * the body is not multipart.
 */
export function parseMultipart(body: Buffer, contentTypeHeader: string): Fields | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentTypeHeader);
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields: Fields = bag<Fields[string]>();
  let start = body.indexOf(delimiter);
  if (start < 0) return undefined;
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return fields;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return undefined;
    // Each part: CRLF, headers, a blank line, the content, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return undefined;
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    const type = /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1]?.trim().toLowerCase();
    if (name !== undefined) {
      const isFile = filename !== undefined || (type !== undefined && !type.startsWith('text/') && type !== 'application/json');
      (fields[name] ??= []).push(isFile ? { filename: filename ?? '', contentType: type ?? 'application/octet-stream', data: Buffer.from(content) } : content.toString('utf8'));
    }
    start = next;
  }
}

/**
 * Turns form fields into the object the body schema describes, by each property's `encoding`
 * (OpenAPI 3.0.3 §4.7.15): repeated names and `explode: false` lists become arrays, `deepObject`
 * (`metadata[order_id]=6735`) becomes a nested object. Object properties without an encoding also
 * accept the bracket form, as Stripe-style APIs send it.
 */
export function formObject(fields: Fields, shapes: Map<string, ValueShape>, encoding: MediaSpec['encoding']): Record<string, unknown> {
  const out: Record<string, unknown> = bag<unknown>();
  const taken = new Set<string>();
  for (const [name, shape] of shapes) {
    const rule = encoding?.[name];
    if (shape === 'object' || rule?.style === 'deepObject') {
      const nested = deepObject(name, fields as Record<string, string[]>);
      if (nested) {
        out[name] = nested;
        for (const key of Object.keys(fields)) if (key.startsWith(`${name}[`)) taken.add(key);
        continue;
      }
    }
    const values = fields[name];
    if (values === undefined) continue;
    taken.add(name);
    if (shape === 'array') {
      const explode = rule?.explode ?? (rule?.style === undefined || rule.style === 'form');
      const delimiter = rule?.delimiter ?? (rule?.style === 'spaceDelimited' ? ' ' : rule?.style === 'pipeDelimited' ? '|' : ',');
      out[name] = explode && values.length > 1 ? values : values.flatMap((v): Array<string | UploadedFile> => (typeof v === 'string' ? (v === '' ? [] : v.split(delimiter)) : [v]));
    } else if (shape === 'object' && typeof values[0] === 'string') {
      try {
        out[name] = JSON.parse(values[0]);
      } catch {
        out[name] = values[0];
      }
    } else {
      out[name] = values.length === 1 ? values[0] : values;
    }
  }
  for (const [name, values] of Object.entries(fields)) {
    if (!taken.has(name)) out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}
