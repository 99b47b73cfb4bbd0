import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ExtractNewRecordState } from '../../../src/transforms/debezium/extract-new-record-state.js';
import { ConnectHeaders, Struct } from '../../../src/connect/data/index.js';
import { ConfigException } from '../../../src/connect/errors.js';
import { changeRecord, heartbeat, jsonMap, plain, ROW_SCHEMA, sinkRecord, tombstone, TOPIC } from './fixtures.js';

function smt(config: Record<string, string> = {}): ExtractNewRecordState {
  const t = new ExtractNewRecordState();
  t.configure(config);
  return t;
}

const ALICE = { id: 1, first_name: 'Alice', email: 'a@x.org', status: 'gold' };
const BOB = { id: 2, first_name: 'Bob', email: null, status: null };

describe('ExtractNewRecordState defaults (Debezium 3.2+: delete.tombstone.handling.mode=tombstone)', () => {
  test('create: value is the after row; schema keeps name but becomes required', () => {
    const rec = changeRecord('c', null, ALICE);
    const out = smt().apply(rec)!;
    assert.deepEqual(plain(out.value), ALICE);
    assert.equal(out.valueSchema!.name, `${TOPIC}.Value`);
    assert.equal(out.valueSchema!.optional, false);
    assert.deepEqual(out.valueSchema!.fields.map((f) => f.name), ['id', 'first_name', 'email', 'status']);
    assert.equal(out.topic, TOPIC);
    assert.equal(out.key, rec.key);
    assert.deepEqual((out as typeof rec).sourceOffset, rec.sourceOffset);
  });

  test('update and read unwrap to after; null fields stay null (no default substitution)', () => {
    for (const op of ['u', 'r']) {
      const out = smt().apply(changeRecord(op, op === 'u' ? ALICE : null, BOB))!;
      assert.deepEqual(plain(out.value), BOB);
      assert.equal((out.value as Struct).getWithoutDefault('status'), null);
    }
  });

  test('delete becomes a null value that keeps the optional after schema', () => {
    const out = smt().apply(changeRecord('d', ALICE, null))!;
    assert.equal(out.value, null);
    assert.equal(out.valueSchema, ROW_SCHEMA);
    assert.equal(out.valueSchema!.optional, true);
    assert.ok(out.key instanceof Struct);
  });

  test('Debezium tombstones are dropped, truncates dropped, heartbeats pass through', () => {
    const t = smt();
    assert.equal(t.apply(tombstone(1)), null);
    assert.equal(t.apply(changeRecord('t', null, null)), null);
    const hb = heartbeat();
    assert.equal(t.apply(hb), hb);
  });
});

describe('delete.tombstone.handling.mode', () => {
  test('drop: deletes and tombstones removed', () => {
    const t = smt({ 'delete.tombstone.handling.mode': 'drop' });
    assert.equal(t.apply(changeRecord('d', ALICE, null)), null);
    assert.equal(t.apply(tombstone(1)), null);
    assert.deepEqual(plain(t.apply(changeRecord('c', null, ALICE))!.value), ALICE);
  });

  test('rewrite: __deleted string appended (true for deletes, false otherwise), tombstones dropped', () => {
    const t = smt({ 'delete.tombstone.handling.mode': 'rewrite' });
    const del = t.apply(changeRecord('d', BOB, null))!;
    // InsertField copies with replace.null.with.default=true: null status takes its default
    assert.deepEqual(plain(del.value), { id: 2, first_name: 'Bob', email: null, status: 'new', __deleted: 'true' });
    const f = del.valueSchema!.field('__deleted')!;
    assert.equal(f.schema.type, 'string');
    assert.equal(f.schema.optional, true);
    assert.equal(del.valueSchema!.optional, false);
    const ins = t.apply(changeRecord('c', null, ALICE))!;
    assert.deepEqual(plain(ins.value), { ...ALICE, __deleted: 'false' });
    assert.equal(t.apply(tombstone(2)), null);
  });

  test('rewrite with replace.null.with.default=false keeps nulls', () => {
    const t = smt({ 'delete.tombstone.handling.mode': 'rewrite', 'replace.null.with.default': 'false' });
    assert.equal((t.apply(changeRecord('d', BOB, null))!.value as Struct).getWithoutDefault('status'), null);
  });

  test('rewrite-with-tombstone keeps the tombstone', () => {
    const t = smt({ 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' });
    const tomb = tombstone(1);
    assert.equal(t.apply(tomb), tomb);
    assert.equal((t.apply(changeRecord('d', ALICE, null))!.value as Struct).get('__deleted'), 'true');
  });

  test('delete-to-tombstone: the delete becomes a true tombstone, Debezium tombstone dropped', () => {
    const t = smt({ 'delete.tombstone.handling.mode': 'delete-to-tombstone' });
    const out = t.apply(changeRecord('d', ALICE, null))!;
    assert.equal(out.value, null);
    assert.equal(out.valueSchema, null);
    assert.ok(out.key instanceof Struct);
    assert.equal(t.apply(tombstone(1)), null);
  });

  test('invalid mode is a ConfigException with Debezium wording', () => {
    assert.throws(() => smt({ 'delete.tombstone.handling.mode': 'keep' }), (e: unknown) => {
      assert.ok(e instanceof ConfigException);
      assert.equal(e.message, 'Invalid value keep for configuration delete.tombstone.handling.mode: Value must be one of drop, tombstone, rewrite, rewrite-with-tombstone, delete-to-tombstone');
      return true;
    });
  });
});

describe('legacy drop.tombstones / delete.handling.mode', () => {
  test('delete.handling.mode=rewrite with drop.tombstones=false keeps tombstones and rewrites', () => {
    const t = smt({ 'delete.handling.mode': 'rewrite', 'drop.tombstones': 'false' });
    const tomb = tombstone(1);
    assert.equal(t.apply(tomb), tomb);
    assert.equal((t.apply(changeRecord('d', ALICE, null))!.value as Struct).get('__deleted'), 'true');
    assert.equal((t.apply(changeRecord('u', null, ALICE))!.value as Struct).get('__deleted'), 'false');
  });

  test('legacy defaults (≤3.1): deletes dropped when only drop.tombstones is given', () => {
    const t = smt({ 'drop.tombstones': 'true' });
    assert.equal(t.apply(changeRecord('d', ALICE, null)), null);
    assert.equal(t.apply(tombstone(1)), null);
  });

  test('delete.handling.mode=none passes the delete as a null value with the after schema', () => {
    const out = smt({ 'delete.handling.mode': 'none' }).apply(changeRecord('d', ALICE, null))!;
    assert.equal(out.value, null);
    assert.equal(out.valueSchema, ROW_SCHEMA);
  });

  test('the new option wins over the legacy ones', () => {
    const t = smt({ 'delete.tombstone.handling.mode': 'drop', 'delete.handling.mode': 'rewrite' });
    assert.equal(t.apply(changeRecord('d', ALICE, null)), null);
  });
});

describe('add.fields', () => {
  test('spec example: op,table,lsn,source.ts_ms with rewrite, in order after __deleted, typed', () => {
    const t = smt({ 'add.fields': 'op,table,lsn,source.ts_ms', 'delete.tombstone.handling.mode': 'rewrite' });
    const out = t.apply(changeRecord('c', null, ALICE))!;
    assert.deepEqual(plain(out.value), { ...ALICE, __deleted: 'false', __op: 'c', __table: 'customers', __lsn: 24023128, __source_ts_ms: 1559033904863 });
    const s = out.valueSchema!;
    assert.equal(s.field('__lsn')!.schema.type, 'int64');
    assert.equal(s.field('__lsn')!.schema.optional, true);
    assert.equal(s.field('__op')!.schema.type, 'string');
    assert.equal(s.field('__op')!.schema.optional, true);
  });

  test('ts_ms is the envelope field; snapshot keeps the Enum schema; :NEW renames; custom prefix', () => {
    const t = smt({ 'add.fields': 'ts_ms,snapshot,source.ts_ms:EVENT_TS,db:DB', 'add.fields.prefix': 'meta_' });
    const out = t.apply(changeRecord('u', null, ALICE))!;
    const v = out.value as Struct;
    assert.equal(v.get('meta_ts_ms'), 1559033905000);
    assert.equal(v.get('meta_EVENT_TS'), 1559033904863);
    assert.equal(v.get('meta_DB'), 'postgres');
    assert.equal(v.getWithoutDefault('meta_snapshot'), null);
    assert.equal(out.valueSchema!.field('meta_snapshot')!.schema.name, 'io.debezium.data.Enum');
    assert.equal(out.valueSchema!.field('meta_snapshot')!.schema.defaultValue, undefined);
  });

  test('empty prefix with :NEW gives the bare name', () => {
    const out = smt({ 'add.fields': 'op:operation', 'add.fields.prefix': '' }).apply(changeRecord('c', null, ALICE))!;
    assert.equal((out.value as Struct).get('operation'), 'c');
  });

  test('transaction fields: null when the block is null, values when present', () => {
    const t = smt({ 'add.fields': 'id,total_order,transaction.data_collection_order' });
    const none = t.apply(changeRecord('c', null, ALICE))!;
    assert.equal((none.value as Struct).getWithoutDefault('__id'), null);
    assert.ok(none.valueSchema!.field('__transaction_data_collection_order'));
    const withTx = t.apply(changeRecord('c', null, ALICE, { tx: true }))!;
    assert.equal((withTx.value as Struct).get('__id'), '571:53195829');
    assert.equal((withTx.value as Struct).get('__total_order'), 1);
  });

  test('unknown fields are silently skipped', () => {
    const out = smt({ 'add.fields': 'nope,op' }).apply(changeRecord('c', null, ALICE))!;
    assert.deepEqual(out.valueSchema!.fields.map((f) => f.name), ['id', 'first_name', 'email', 'status', '__op']);
  });

  test('added to rewritten deletes, not to null-value deletes', () => {
    const del = smt({ 'add.fields': 'op', 'delete.tombstone.handling.mode': 'rewrite' }).apply(changeRecord('d', ALICE, null))!;
    assert.deepEqual(plain(del.value), { ...ALICE, __deleted: 'true', __op: 'd' });
    const tomb = smt({ 'add.fields': 'op' }).apply(changeRecord('d', ALICE, null))!;
    assert.equal(tomb.value, null);
  });
});

describe('add.headers', () => {
  test('headers with field schemas, prefixed; input record untouched', () => {
    const rec = changeRecord('u', ALICE, ALICE);
    const out = smt({ 'add.headers': 'op,source.lsn,table:TBL', 'add.headers.prefix': 'dbz.' }).apply(rec)!;
    assert.equal(out.headers.lastWithName('dbz.op')!.value, 'u');
    assert.equal(out.headers.lastWithName('dbz.source_lsn')!.value, 24023128);
    assert.equal(out.headers.lastWithName('dbz.source_lsn')!.schema!.type, 'int64');
    assert.equal(out.headers.lastWithName('dbz.TBL')!.value, 'customers');
    assert.equal(rec.headers.size, 0);
  });

  test('a kept tombstone gets only the op header, with "d"', () => {
    const out = smt({ 'add.headers': 'op,lsn', 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' }).apply(tombstone(1))!;
    assert.deepEqual(out.headers.toArray().map((h) => [h.key, h.value]), [['__op', 'd']]);
  });

  test('non-envelope records get no headers', () => {
    const out = smt({ 'add.headers': 'op' }).apply(heartbeat())!;
    assert.equal(out.headers.size, 0);
  });
});

describe('route.by.field', () => {
  test('routes creates by after.X and deletes by before.X', () => {
    const t = smt({ 'route.by.field': 'first_name', 'delete.tombstone.handling.mode': 'rewrite' });
    assert.equal(t.apply(changeRecord('c', null, ALICE))!.topic, 'Alice');
    assert.equal(t.apply(changeRecord('d', BOB, null))!.topic, 'Bob');
  });
  test('a null routing value keeps the topic', () => {
    assert.equal(smt({ 'route.by.field': 'email' }).apply(changeRecord('c', null, BOB))!.topic, TOPIC);
  });
});

describe('drop.fields.*', () => {
  const headers = () => new ConnectHeaders().add('drop', ['email', 'first_name', 'id']);
  test('keep.schema.compatible=true (default) removes only optional fields', () => {
    const out = smt({ 'drop.fields.header.name': 'drop' }).apply(changeRecord('c', null, ALICE, { headers: headers() }))!;
    assert.deepEqual(out.valueSchema!.fields.map((f) => f.name), ['id', 'first_name', 'status']);
  });
  test('keep.schema.compatible=false removes every named field, and from the key when asked', () => {
    const out = smt({ 'drop.fields.header.name': 'drop', 'drop.fields.keep.schema.compatible': 'false', 'drop.fields.from.key': 'true' })
      .apply(changeRecord('c', null, ALICE, { headers: headers() }))!;
    assert.deepEqual(out.valueSchema!.fields.map((f) => f.name), ['status']);
    assert.deepEqual(out.keySchema!.fields.map((f) => f.name), []);
  });
  test('no header: unchanged', () => {
    const out = smt({ 'drop.fields.header.name': 'drop' }).apply(changeRecord('c', null, ALICE))!;
    assert.equal(out.valueSchema!.fields.length, 4);
  });
});

describe('message and transaction records pass through', () => {
  test('a value schema not ending in .Envelope is untouched', () => {
    const hb = heartbeat();
    const t = smt({ 'delete.tombstone.handling.mode': 'rewrite', 'add.fields': 'op' });
    assert.equal(t.apply(hb), hb);
  });
});

describe('schemaless envelopes (schemas.enable=false sink side)', () => {
  const env = (op: string, before: Record<string, unknown> | null, after: Record<string, unknown> | null) =>
    sinkRecord(jsonMap({ before, after, source: { lsn: 77, table: 'customers', ts_ms: 5 }, transaction: null, op, ts_ms: 9 }));
  test('create unwraps to the after map with added fields', () => {
    const out = smt({ 'add.fields': 'op,lsn,id' }).apply(env('c', null, { id: 1, name: 'x' }))!;
    assert.deepEqual(plain(out.value), { id: 1, name: 'x', __op: 'c', __lsn: 77, __id: null });
  });
  test('delete: null value by default, rewritten with __deleted in rewrite mode; truncate dropped', () => {
    assert.equal(smt().apply(env('d', { id: 1 }, null))!.value, null);
    assert.deepEqual(plain(smt({ 'delete.tombstone.handling.mode': 'rewrite' }).apply(env('d', { id: 1 }, null))!.value), { id: 1, __deleted: 'true' });
    assert.equal(smt().apply(env('t', null, null)), null);
  });
  test('a plain map without op/before/after passes through', () => {
    const rec = sinkRecord(jsonMap({ a: 1 }));
    assert.equal(smt().apply(rec), rec);
  });
});
