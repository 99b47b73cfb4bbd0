/**
 * `org.apache.kafka.connect.storage.StringConverter`: the value's string form in `converter.encoding`
 * (UTF-8 by default); reads back an optional string. The schema is ignored when writing.
 */
import { ConfigDef } from '../connect/api/index.js';
import { Schema, type SchemaAndValue } from '../connect/data/index.js';
import { ConfigException } from '../connect/errors.js';
import { asBuffer } from './bytes.js';
import { newConverterConfigDef, ValueAndHeaderConverter, withConverterType } from './converter-config.js';
import { javaToString } from './java-format.js';

export const ENCODING_CONFIG = 'converter.encoding';

const CONFIG_DEF = newConverterConfigDef().define({
  name: ENCODING_CONFIG,
  type: 'STRING',
  defaultValue: 'UTF-8',
  importance: 'HIGH',
  documentation: 'The name of the Java character set to use for encoding strings as byte arrays.',
  width: 'MEDIUM',
  displayName: 'Encoding',
});

interface Charset {
  encode(s: string): Buffer;
  decode(b: Buffer): string;
}

function swap16(b: Buffer): Buffer {
  const copy = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  return copy.swap16();
}

const UTF16BE: Charset = {
  encode: (s) => Buffer.from(s, 'utf16le').swap16(),
  decode: (b) => swap16(b).toString('utf16le'),
};

/** Java charset names (and their common aliases) that Node can encode. */
const CHARSETS: Record<string, Charset> = {
  'UTF-8': { encode: (s) => Buffer.from(s, 'utf8'), decode: (b) => b.toString('utf8') },
  'US-ASCII': { encode: (s) => Buffer.from(s, 'ascii'), decode: (b) => b.toString('ascii') },
  'ISO-8859-1': { encode: (s) => Buffer.from(s, 'latin1'), decode: (b) => b.toString('latin1') },
  'UTF-16LE': { encode: (s) => Buffer.from(s, 'utf16le'), decode: (b) => b.toString('utf16le') },
  'UTF-16BE': UTF16BE,
  // Java's UTF-16 writes big-endian with a byte-order mark and reads either order (big-endian without a mark).
  'UTF-16': {
    encode: (s) => Buffer.concat([Buffer.from([0xfe, 0xff]), UTF16BE.encode(s)]),
    decode: (b) => {
      if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
      if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return UTF16BE.decode(b.subarray(2));
      return UTF16BE.decode(b);
    },
  },
};
const ALIASES: Record<string, string> = { UTF8: 'UTF-8', ASCII: 'US-ASCII', LATIN1: 'ISO-8859-1', 'ISO8859-1': 'ISO-8859-1', 'ISO-LATIN-1': 'ISO-8859-1', UTF_16: 'UTF-16' };

export function charsetFor(name: string): Charset {
  const upper = name.trim().toUpperCase();
  const cs = CHARSETS[upper] ?? CHARSETS[ALIASES[upper] ?? ''];
  if (!cs) throw new ConfigException(`Unsupported encoding ${name} for configuration ${ENCODING_CONFIG}`);
  return cs;
}

export class StringConverter extends ValueAndHeaderConverter {
  private charset = CHARSETS['UTF-8']!;

  static configDef(): ConfigDef {
    return CONFIG_DEF;
  }

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(configs: Record<string, string>, isKey?: boolean): void {
    const parsed = CONFIG_DEF.parse(withConverterType(configs, isKey));
    this.charset = charsetFor(parsed.getString(ENCODING_CONFIG)!);
  }

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    return this.charset.encode(typeof value === 'string' ? value : javaToString(value, schema));
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: Schema.OPTIONAL_STRING_SCHEMA, value: null };
    return { schema: Schema.OPTIONAL_STRING_SCHEMA, value: this.charset.decode(asBuffer(bytes)) };
  }
}
