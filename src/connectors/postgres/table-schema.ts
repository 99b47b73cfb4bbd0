/**
 * The Connect view of one captured table: topic name, key schema (`<topic>.Key`), value schema
 * (`<topic>.Value`), envelope schema (`<topic>.Envelope`), and the per-column converters that turn a row
 * of server text values into key and value Structs. Built once per table (and again after a RELATION
 * message changes it); every row reuses it.
 */
import { Schema, SchemaBuilder, Struct } from '../../connect/data/index.js';
import { DataException } from '../../connect/errors.js';
import type { PostgresConfig } from './config.js';
import { SOURCE_SCHEMA } from './source-info.js';
import { type TupleValue, UNCHANGED_TOAST } from './pgoutput/decoder.js';
import type { TypeRegistry } from './types/type-registry.js';
import { type TypeMapping, finishValue, mapType, parseDefault } from './types/value-mapping.js';
import { adjustFieldName, adjustSchemaName } from './name-adjustment.js';

export interface ColumnInfo {
  name: string;
  typeOid: number;
  typeMod: number;
  notNull: boolean;
  defaultExpr: string | null;
}

export interface TableInfo {
  schema: string;
  table: string;
  /** Columns in the order rows arrive (table ordinal order). */
  columns: ColumnInfo[];
  /** Primary key columns in key order (empty when none). */
  primaryKey: string[];
  /** Columns of the first unique index, used when there is no primary key. */
  uniqueIndex: string[];
}

export const TRANSACTION_BLOCK_SCHEMA = SchemaBuilder.struct()
  .optional()
  .name('event.block')
  .version(1)
  .field('id', Schema.STRING_SCHEMA)
  .field('total_order', Schema.INT64_SCHEMA)
  .field('data_collection_order', Schema.INT64_SCHEMA)
  .build();

/** Topic names: every character outside [A-Za-z0-9._-] becomes `_`, at most 249 characters. */
export function sanitizeTopic(name: string): string {
  let t = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (t === '.' || t === '..') t = t.replace(/\./g, '_');
  return t.length > 249 ? t.slice(0, 249) : t;
}

interface ValueColumn {
  /** Index of the column in an incoming row. */
  readonly rowIndex: number;
  /** The column name in PostgreSQL (for error messages). */
  readonly name: string;
  readonly fieldIndex: number;
  readonly schema: Schema;
  readonly mapping: TypeMapping;
  /** What a missing value of a NOT NULL column becomes (the schema default or the type's zero). */
  readonly fallback: unknown;
}

export type FilterColumn = (schema: string, table: string, column: string) => boolean;

export class TableSchema {
  readonly id: string;
  readonly topic: string;
  readonly keySchema: Schema | null;
  readonly valueSchema: Schema;
  readonly envelopeSchema: Schema;
  readonly columnNames: readonly string[];
  private readonly valueColumns: ValueColumn[];
  private readonly keyColumns: ValueColumn[];

  constructor(readonly info: TableInfo, cfg: PostgresConfig, registry: TypeRegistry, includeColumn: FilterColumn) {
    this.id = `${info.schema}.${info.table}`;
    const d = cfg.topicDelimiter;
    this.topic = sanitizeTopic(`${cfg.topicPrefix}${d}${info.schema}${d}${info.table}`);
    this.columnNames = info.columns.map((c) => c.name);

    const columns = info.columns.map((c, rowIndex) => {
      const mapping = mapType(c.typeOid, c.typeMod, registry, cfg);
      if (!mapping) return null;
      const b = mapping.builder();
      if (!c.notNull) b.optional();
      let def: unknown;
      if (b.type !== 'struct') {
        def = parseDefault(c.defaultExpr, mapping);
        if (def !== undefined && def !== null) {
          try {
            b.defaultValue(def);
          } catch {
            def = undefined;
          }
        } else def = undefined;
      }
      const schema = b.build();
      return { rowIndex, schema, mapping, fallback: def !== undefined ? def : mapping.zero, name: c.name };
    });

    const keyNames = this.keyColumnNames(info, cfg);
    const schemaName = (suffix: string) => adjustSchemaName(`${this.topic}.${suffix}`, cfg.schemaNameAdjustment);
    const fieldName = (column: string) => adjustFieldName(column, cfg.fieldNameAdjustment);
    const keyBuilder = SchemaBuilder.struct().name(schemaName('Key'));
    const keyColumns: ValueColumn[] = [];
    for (const k of keyNames) {
      const col = columns.find((c) => c && c.name === k);
      if (!col) continue;
      keyBuilder.field(fieldName(k), col.schema);
      keyColumns.push({ ...col, fieldIndex: keyColumns.length });
    }
    this.keyColumns = keyColumns;
    this.keySchema = keyColumns.length ? keyBuilder.build() : null;

    const valueBuilder = SchemaBuilder.struct().name(schemaName('Value')).optional();
    const valueColumns: ValueColumn[] = [];
    for (const c of columns) {
      if (!c) continue;
      if (!keyNames.includes(c.name) && !includeColumn(info.schema, info.table, c.name)) continue;
      valueBuilder.field(fieldName(c.name), c.schema);
      valueColumns.push({ ...c, fieldIndex: valueColumns.length });
    }
    this.valueColumns = valueColumns;
    this.valueSchema = valueBuilder.build();

    this.envelopeSchema = SchemaBuilder.struct()
      .name(schemaName('Envelope'))
      .version(2)
      .field('before', this.valueSchema)
      .field('after', this.valueSchema)
      .field('source', SOURCE_SCHEMA)
      .field('transaction', TRANSACTION_BLOCK_SCHEMA)
      .field('op', Schema.STRING_SCHEMA)
      .field('ts_ms', Schema.OPTIONAL_INT64_SCHEMA)
      .field('ts_us', Schema.OPTIONAL_INT64_SCHEMA)
      .field('ts_ns', Schema.OPTIONAL_INT64_SCHEMA)
      .build();
  }

  /** message.key.columns, else the primary key, else the first unique index. */
  private keyColumnNames(info: TableInfo, cfg: PostgresConfig): string[] {
    for (const rule of cfg.messageKeyColumns) {
      if (!rule.table.test(this.id)) continue;
      const names: string[] = [];
      for (const pattern of rule.columns) {
        for (const c of info.columns) {
          if ((pattern.test(`${this.id}.${c.name}`) || pattern.test(c.name)) && !names.includes(c.name)) names.push(c.name);
        }
      }
      if (names.length) return names;
    }
    if (info.primaryKey.length) return info.primaryKey;
    return info.uniqueIndex;
  }

  /**
   * The value Struct of a row. `old` supplies unchanged TOASTed values (FULL identity) when present.
   * Missing values of NOT NULL columns (a key-only old tuple) get the fallback.
   */
  value(row: readonly TupleValue[], old: readonly TupleValue[] | null, placeholderForToast: boolean): Struct {
    const columns = this.valueColumns;
    const values = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) values[i] = this.convert(columns[i]!, row, old, placeholderForToast) ?? null;
    return Struct.fromValues(this.valueSchema, values);
  }

  /** The key Struct of a row, or null for keyless tables. */
  key(row: readonly TupleValue[]): Struct | null {
    if (!this.keySchema) return null;
    const columns = this.keyColumns;
    const values = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) values[i] = this.convert(columns[i]!, row, null, true) ?? null;
    return Struct.fromValues(this.keySchema, values);
  }

  private convert(c: ValueColumn, row: readonly TupleValue[], old: readonly TupleValue[] | null, placeholderForToast: boolean): unknown {
    let raw = row[c.rowIndex];
    if (raw === UNCHANGED_TOAST) {
      const o = old ? old[c.rowIndex] : undefined;
      if (o !== undefined && o !== UNCHANGED_TOAST) raw = o;
      else {
        const p = placeholderForToast ? c.mapping.toast : null;
        if (p !== null && p !== undefined) return p;
        return c.schema.optional ? null : c.fallback;
      }
    }
    if (raw === null || raw === undefined) return c.schema.optional ? null : c.fallback;
    const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
    try {
      return finishValue(c.schema, c.mapping.parse(text));
    } catch (e) {
      throw new DataException(`Column ${this.id}.${c.name}: ${(e as Error).message}`, { cause: e });
    }
  }
}
