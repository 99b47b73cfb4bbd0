/**
 * The `schema` half of a JsonConverter envelope ⇒ a Connect Schema (JsonConverter.asConnectSchema), with
 * Kafka's error messages. Members may come in any order, so an object is first scanned for the positions
 * of its members, then built; nested schemas and `default` are read from their recorded positions.
 */
import { type Schema, SchemaBuilder } from '../connect/data/index.js';
import { DataException, SchemaBuilderException } from '../connect/errors.js';
import { JsonReader } from './json-reader.js';
import { readConnect } from './json-to-connect.js';

const C_QUOTE = 34;
const C_LBRACE = 123;
const C_RBRACE = 125;
const C_RBRACKET = 93;
const C_n = 110;
const C_t = 116;

/** Positions of the members of one schema object (-1 = absent). */
interface SchemaMembers {
  type: string | null;
  fieldName: string | null;
  items: number;
  keys: number;
  values: number;
  fields: number;
  optional: boolean;
  name: string | null;
  version: number | null;
  doc: string | null;
  parameters: number;
  default: number;
}

/** Reads the schema at the reader's position; JSON `null` ⇒ null (schemaless). */
export function readSchema(r: JsonReader, rn: boolean): Schema | null {
  const c = r.peek();
  if (c === C_n) {
    r.readLiteral();
    return null;
  }
  return buildSchema(r, scanMembers(r), rn);
}

/** Scans an object's members (anything but an object has none, like Jackson's `get` on other nodes). */
function scanMembers(r: JsonReader): SchemaMembers {
  const m: SchemaMembers = {
    type: null, fieldName: null, items: -1, keys: -1, values: -1, fields: -1,
    optional: false, name: null, version: null, doc: null, parameters: -1, default: -1,
  };
  if (r.peek() !== C_LBRACE) {
    r.skipValue();
    return m;
  }
  if (!r.beginObject()) return m;
  do {
    const key = r.readKey();
    const c = r.peek();
    switch (key) {
      case 'type':
      case 'field':
      case 'name':
      case 'doc': {
        const text = c === C_QUOTE ? r.readString() : (r.skipValue(), null);
        if (key === 'type') m.type = text;
        else if (key === 'field') m.fieldName = text;
        else if (key === 'name') m.name = text;
        else m.doc = text;
        break;
      }
      case 'optional':
        m.optional = c === C_t && r.readLiteral() === true;
        if (c !== C_t) r.skipValue();
        break;
      case 'version':
        if (c === 45 || (c >= 48 && c <= 57)) {
          const raw = r.readNumber();
          m.version = r.integral ? Number(BigInt.asIntN(32, BigInt(raw))) : null;
        } else {
          r.skipValue();
          m.version = null;
        }
        break;
      case 'items':
      case 'keys':
      case 'values':
      case 'fields':
      case 'parameters':
      case 'default':
        m[key] = r.pos;
        r.skipValue();
        break;
      default:
        r.skipValue();
    }
  } while (r.more(C_RBRACE));
  return m;
}

function schemaAt(r: JsonReader, pos: number, rn: boolean): Schema | null {
  r.pos = pos;
  return readSchema(r, rn);
}

function isNullAt(r: JsonReader, pos: number): boolean {
  r.pos = pos;
  return r.peek() === C_n;
}

function buildSchema(r: JsonReader, m: SchemaMembers, rn: boolean): Schema {
  if (m.type === null) throw new DataException("Schema must contain 'type' field");
  let builder: SchemaBuilder;
  switch (m.type) {
    case 'boolean': builder = SchemaBuilder.bool(); break;
    case 'int8': builder = SchemaBuilder.int8(); break;
    case 'int16': builder = SchemaBuilder.int16(); break;
    case 'int32': builder = SchemaBuilder.int32(); break;
    case 'int64': builder = SchemaBuilder.int64(); break;
    case 'float': builder = SchemaBuilder.float32(); break;
    case 'double': builder = SchemaBuilder.float64(); break;
    case 'bytes': builder = SchemaBuilder.bytes(); break;
    case 'string': builder = SchemaBuilder.string(); break;
    case 'array': {
      if (m.items < 0 || isNullAt(r, m.items)) throw new DataException('Array schema did not specify the element type');
      builder = SchemaBuilder.array(schemaAt(r, m.items, rn)!);
      break;
    }
    case 'map': {
      if (m.keys < 0) throw new DataException('Map schema did not specify the key type');
      if (m.values < 0) throw new DataException('Map schema did not specify the value type');
      const keySchema = schemaAt(r, m.keys, rn);
      const valueSchema = schemaAt(r, m.values, rn);
      if (!keySchema) throw new SchemaBuilderException('keySchema cannot be null.');
      if (!valueSchema) throw new SchemaBuilderException('valueSchema cannot be null.');
      builder = SchemaBuilder.map(keySchema, valueSchema);
      break;
    }
    case 'struct': {
      builder = SchemaBuilder.struct();
      if (m.fields >= 0) r.pos = m.fields;
      if (m.fields < 0 || r.peek() !== 91) throw new DataException('Struct schema\'s "fields" argument is not an array.');
      if (r.beginArray()) {
        do {
          const member = scanMembers(r);
          if (member.fieldName === null) throw new DataException("Struct schema's field name not specified properly");
          const after = r.pos;
          builder.field(member.fieldName, buildSchema(r, member, rn));
          r.pos = after;
        } while (r.more(C_RBRACKET));
      }
      break;
    }
    default:
      throw new DataException('Unknown schema type: ' + m.type);
  }
  if (m.optional) builder.optional();
  if (m.name !== null) builder.name(m.name);
  if (m.version !== null) builder.version(m.version);
  if (m.doc !== null) builder.doc(m.doc);
  if (m.parameters >= 0) {
    r.pos = m.parameters;
    if (r.peek() === C_LBRACE && r.beginObject()) {
      do {
        const key = r.readKey();
        if (r.peek() !== C_QUOTE) throw new DataException('Schema parameters must have string values.');
        builder.parameter(key, r.readString());
      } while (r.more(C_RBRACE));
    }
  }
  if (m.default >= 0) {
    r.pos = m.default;
    const value = readConnect(r, builder.build(), rn);
    if (value !== null) builder.defaultValue(value);
  }
  return builder.build();
}

/** Parses schema JSON text on its own (used by the converter's schema cache). */
export function parseSchemaText(text: string, rn: boolean): Schema | null {
  return readSchema(new JsonReader(text), rn);
}
