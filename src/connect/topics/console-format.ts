/**
 * Prints a consumed record the way `kafka-console-consumer` does (its DefaultMessageFormatter):
 * fields in the order timestamp, partition, offset, headers, key, value, each followed by the
 * separator; the value alone by default; `null` for null keys/values; `NO_HEADERS` for no headers.
 */
import type { ConsumedRecord } from './types.js';

export interface ConsoleFormatOptions {
  printKey?: boolean;
  printHeaders?: boolean;
  printTimestamp?: boolean;
  printPartition?: boolean;
  printOffset?: boolean;
  /** Between fields (`key.separator`, default TAB). */
  keySeparator?: string;
  /** Between headers (`headers.separator`, default `,`). */
  headersSeparator?: string;
  /** Between a header's key and value (`headers.key.separator`, default `:`). */
  headersKeySeparator?: string;
  /** Printed for null values (`null.literal`, default `null`). */
  nullLiteral?: string;
}

function text(bytes: Buffer | null, nullLiteral: string): string {
  return bytes === null ? nullLiteral : bytes.toString('utf8');
}

/** One line (without the trailing newline). */
export function formatConsumedRecord(record: ConsumedRecord, options: ConsoleFormatOptions = {}): string {
  const sep = options.keySeparator ?? '\t';
  const nullLiteral = options.nullLiteral ?? 'null';
  let out = '';
  if (options.printTimestamp) {
    out +=
      record.timestampType === 'NoTimestampType'
        ? `NO_TIMESTAMP${sep}`
        : `${record.timestampType}:${record.timestamp}${sep}`;
  }
  if (options.printPartition) out += `Partition:${record.partition}${sep}`;
  if (options.printOffset) out += `Offset:${record.offset}${sep}`;
  if (options.printHeaders) {
    if (record.headers.length === 0) out += 'NO_HEADERS';
    else {
      const hkSep = options.headersKeySeparator ?? ':';
      out += record.headers
        .map((h) => `${h.key}${hkSep}${text(h.value, nullLiteral)}`)
        .join(options.headersSeparator ?? ',');
    }
    out += sep;
  }
  if (options.printKey) out += text(record.key, nullLiteral) + sep;
  out += text(record.value, nullLiteral);
  return out;
}
