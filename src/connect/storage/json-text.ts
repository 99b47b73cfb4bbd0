/**
 * JSON text for internal records (offsets, configs, statuses) with exact 64-bit integers: integers beyond
 * the safe range are read as bigint and written digit for digit, as Kafka Connect's schemaless JsonConverter does.
 */
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

function parseNumber(text: string): number | bigint {
  if (isInteger(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
}

export function parseJsonText(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** Compact JSON (no spaces), like Jackson's default output. Maps become objects. */
export function toJsonText(value: unknown): string {
  const out = stringify(value, (_key, v) => (v instanceof Map ? Object.fromEntries(v) : v));
  if (out === undefined) throw new TypeError('Value cannot be written as JSON');
  return out;
}
