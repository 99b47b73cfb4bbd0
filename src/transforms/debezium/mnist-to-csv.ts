/**
 * `io.debezium.transforms.MnistToCsv`, the SMT of Debezium's "Image classification with Debezium and
 * TensorFlow" demo: turns an unwrapped `mnist_*` row into key = the label as a decimal string and value =
 * the 784 pixel bytes as unsigned decimals joined by `,`, both with STRING schemas; topic, partition and
 * timestamp unchanged. Runs after ExtractNewRecordState.
 *
 * Where the blog's Java class would throw a NullPointerException or ClassCastException (no value, missing
 * or null column), this one throws a DataException that names the problem; `errors.tolerance` decides.
 */
import { ConfigDef } from '../../connect/api/config-def.js';
import type { Transformation } from '../../connect/api/transformation.js';
import type { AnyRecord } from '../../connect/data/records.js';
import { Schema } from '../../connect/data/schema.js';
import { Struct } from '../../connect/data/struct.js';
import { DataException } from '../../connect/errors.js';
import { javaClassName } from '../util/requirements.js';

/** Decimal text of every unsigned byte value, so a row is 784 table lookups and one join. */
const BYTE_TEXT: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * The blog's class returns an empty ConfigDef and reads its two options raw; they are listed here so the
 * REST config endpoints show them, with the same defaults.
 */
export const MNIST_TO_CSV_CONFIG_DEF = new ConfigDef()
  .define({ name: 'label_column', type: 'STRING', defaultValue: 'label', importance: 'MEDIUM', documentation: 'Column holding the digit label (int16); becomes the record key as a decimal string.' })
  .define({ name: 'pixels_column', type: 'STRING', defaultValue: 'pixels', importance: 'MEDIUM', documentation: 'Column holding the image bytes; becomes the record value as comma-separated unsigned decimals.' });

export function pixelsToCsv(pixels: Uint8Array): string {
  const parts = new Array<string>(pixels.length);
  for (let i = 0; i < pixels.length; i++) parts[i] = BYTE_TEXT[pixels[i]!]!;
  return parts.join(',');
}

export class MnistToCsv implements Transformation {
  private labelColumn = 'label';
  private pixelsColumn = 'pixels';

  configure(configs: Record<string, string>): void {
    const c = MNIST_TO_CSV_CONFIG_DEF.parse(configs);
    this.labelColumn = c.getString('label_column') ?? 'label';
    this.pixelsColumn = c.getString('pixels_column') ?? 'pixels';
  }

  config(): ConfigDef {
    return MNIST_TO_CSV_CONFIG_DEF;
  }

  close(): void {}

  apply(record: AnyRecord): AnyRecord {
    const value = record.value;
    if (!(value instanceof Struct)) {
      throw new DataException(
        `MnistToCsv expects a row Struct with columns '${this.labelColumn}' and '${this.pixelsColumn}' (run ExtractNewRecordState first), found: ${javaClassName(value)}`,
      );
    }
    const labelField = value.schema.field(this.labelColumn);
    const pixelsField = value.schema.field(this.pixelsColumn);
    if (!labelField || !pixelsField) {
      const missing = [labelField ? null : this.labelColumn, pixelsField ? null : this.pixelsColumn].filter((x) => x !== null);
      throw new DataException(
        `MnistToCsv: record on topic ${record.topic} has no column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(' and ')}; available: ${value.schema.fields.map((f) => f.name).join(', ')}`,
      );
    }
    const label = value.get(labelField);
    if (typeof label !== 'number' && typeof label !== 'bigint') {
      throw new DataException(`MnistToCsv: column '${this.labelColumn}' on topic ${record.topic} must be an integer, found: ${javaClassName(label)}`);
    }
    const pixels = value.get(pixelsField);
    if (!(pixels instanceof Uint8Array)) {
      throw new DataException(`MnistToCsv: column '${this.pixelsColumn}' on topic ${record.topic} must be bytes, found: ${javaClassName(pixels)}`);
    }
    return record.newRecord({
      keySchema: Schema.STRING_SCHEMA,
      key: String(label),
      valueSchema: Schema.STRING_SCHEMA,
      value: pixelsToCsv(pixels),
    });
  }
}
