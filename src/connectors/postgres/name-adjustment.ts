/**
 * `schema.name.adjustment.mode` and `field.name.adjustment.mode` (Debezium's SchemaNameAdjuster): with `avro`,
 * a character Avro does not allow in a name becomes `_`; with `avro_unicode`, `_uXXXX` (its UTF-16 code unit
 * in hex); `none` keeps names as they are. Avro names start with a letter or `_` and go on with letters, digits
 * and `_`; schema full names may also hold `.` (namespace separators), field names may not.
 */
export type NameAdjustmentMode = 'none' | 'avro' | 'avro_unicode';

export const NAME_ADJUSTMENT_MODES = ['none', 'avro', 'avro_unicode'] as const;

function valid(c: string, first: boolean, dots: boolean): boolean {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_') return true;
  if (first) return false;
  return (c >= '0' && c <= '9') || (dots && c === '.');
}

function adjust(name: string, mode: NameAdjustmentMode, dots: boolean): string {
  if (mode === 'none') return name;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (valid(c, i === 0, dots)) out += c;
    else out += mode === 'avro' ? '_' : `_u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** A schema's full name (`<topic>.Value`, ...). */
export function adjustSchemaName(name: string, mode: NameAdjustmentMode): string {
  return adjust(name, mode, true);
}

/** A struct field's name (a column). */
export function adjustFieldName(name: string, mode: NameAdjustmentMode): string {
  return adjust(name, mode, false);
}
