/**
 * Record bytes as the console shows them: JSON pretty-printed with Kafka Connect's `{schema, payload}`
 * envelope folded away (the schema is kept apart, shown collapsed), other UTF-8 text as is, anything else
 * as hex. Big integers stay exact (lossless-json). Long values are cut, with their full size given.
 */
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import type { ConsumedRecord } from '../connect/topics/types.js';

export interface FormattedBytes {
  /** `null` for a null key/value. */
  kind: 'null' | 'json' | 'text' | 'binary';
  text: string | null;
  /** The JsonConverter schema of an enveloped value, pretty-printed. */
  schema?: string;
  bytes: number;
  truncated: boolean;
}

export interface FormattedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  key: FormattedBytes;
  value: FormattedBytes;
  headers: { key: string; value: FormattedBytes }[];
}

const MAX_TEXT = 4000;

function isEnvelope(v: unknown): v is { schema: unknown; payload: unknown } {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isLosslessNumber(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && keys.includes('schema') && keys.includes('payload');
}

function cut(text: string, max: number): { text: string; truncated: boolean } {
  return text.length > max ? { text: text.slice(0, max) + ' …', truncated: true } : { text, truncated: false };
}

/** Valid UTF-8 without control characters other than whitespace. */
function asText(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) return null;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000E-\u001F]/.test(text) ? null : text;
}

export function formatBytes(bytes: Buffer | null, max = MAX_TEXT): FormattedBytes {
  if (bytes === null) return { kind: 'null', text: null, bytes: 0, truncated: false };
  const text = asText(bytes);
  if (text === null) {
    const hex = bytes.subarray(0, Math.ceil(max / 3)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
    return { kind: 'binary', text: hex, bytes: bytes.length, truncated: bytes.length > Math.ceil(max / 3) };
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    try {
      const parsed = parse(trimmed);
      if (isEnvelope(parsed)) {
        const shown = cut(stringify(parsed.payload, undefined, 2) ?? 'null', max);
        return { kind: 'json', text: shown.text, schema: cut(stringify(parsed.schema, undefined, 2) ?? 'null', max).text, bytes: bytes.length, truncated: shown.truncated };
      }
      const shown = cut(stringify(parsed, undefined, 2) ?? 'null', max);
      return { kind: 'json', text: shown.text, bytes: bytes.length, truncated: shown.truncated };
    } catch {
      // not JSON after all: shown as text
    }
  }
  const shown = cut(text, max);
  return { kind: 'text', text: shown.text, bytes: bytes.length, truncated: shown.truncated };
}

export function formatRecord(r: ConsumedRecord): FormattedRecord {
  return {
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: formatBytes(r.key, 1000),
    value: formatBytes(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: formatBytes(h.value, 1000) })),
  };
}

/**
 * A value as plain JS for feature extraction: JSON with the envelope unwrapped (numbers as numbers),
 * or undefined when it is not JSON.
 */
export function jsonPayload(bytes: Buffer | null): unknown {
  if (bytes === null) return undefined;
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    return isEnvelope(v) ? v.payload : v;
  } catch {
    return undefined;
  }
}

/**
 * A key search: `exact` matches a key whose text, JSON payload (compact) or one of the payload's top-level
 * values equals the query (`7` finds `{"id":7}`); `contains` matches a substring of the text or payload.
 */
export function keyMatcher(query: string, mode: 'exact' | 'contains'): (key: Buffer | null) => boolean {
  return (key) => {
    if (key === null) return false;
    const text = key.toString('utf8');
    const payload = jsonPayload(key);
    const compact = payload === undefined ? null : JSON.stringify(payload);
    if (mode === 'contains') return text.includes(query) || (compact !== null && compact.includes(query));
    if (text === query || compact === query) return true;
    if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
      return Object.values(payload as Record<string, unknown>).some((v) => v !== null && typeof v !== 'object' && String(v) === query);
    }
    return payload !== undefined && payload !== null && typeof payload !== 'object' && String(payload) === query;
  };
}
