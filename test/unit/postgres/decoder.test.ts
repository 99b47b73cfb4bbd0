import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { UNCHANGED_TOAST, decodePgOutput, formatLsn, parseLsn, PG_EPOCH_OFFSET_US } from '../../../src/connectors/postgres/pgoutput/decoder.js';

/** Builds pgoutput bytes by hand (the layout of the protocol documentation). */
class W {
  private parts: Buffer[] = [];
  u8(v: number) { this.parts.push(Buffer.from([v])); return this; }
  c(ch: string) { return this.u8(ch.charCodeAt(0)); }
  i16(v: number) { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); return this; }
  i32(v: number) { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); return this; }
  u32(v: number) { const b = Buffer.alloc(4); b.writeUInt32BE(v); this.parts.push(b); return this; }
  i64(v: bigint) { const b = Buffer.alloc(8); b.writeBigInt64BE(v); this.parts.push(b); return this; }
  str(s: string) { this.parts.push(Buffer.from(s + '\0', 'utf8')); return this; }
  text(s: string) { const b = Buffer.from(s, 'utf8'); return this.c('t').u32(b.length).raw(b); }
  raw(b: Buffer) { this.parts.push(b); return this; }
  done() { return Buffer.concat(this.parts); }
}

describe('pgoutput decoder', () => {
  test('BEGIN and COMMIT', () => {
    const b = decodePgOutput(new W().c('B').i64(0x16b374d848n).i64(1_000_000n).u32(571).done());
    assert.deepEqual(b, { tag: 'begin', finalLsn: 0x16b374d848, commitTimeUs: 1_000_000 + PG_EPOCH_OFFSET_US, xid: 571 });
    const c = decodePgOutput(new W().c('C').u8(0).i64(100n).i64(200n).i64(5n).done());
    assert.deepEqual(c, { tag: 'commit', flags: 0, commitLsn: 100, endLsn: 200, commitTimeUs: 5 + PG_EPOCH_OFFSET_US });
  });

  test('RELATION with key flags and type modifiers', () => {
    const buf = new W().c('R').u32(16384).str('public').str('iris_train').c('d').i16(2)
      .u8(1).str('id').u32(23).i32(-1)
      .u8(0).str('amount').u32(1700).i32(((10 << 16) | 2) + 4)
      .done();
    const r = decodePgOutput(buf);
    assert.equal(r.tag, 'relation');
    if (r.tag !== 'relation') return;
    assert.equal(r.schema, 'public');
    assert.equal(r.name, 'iris_train');
    assert.equal(r.replicaIdentity, 'd');
    assert.deepEqual(r.columns.map((c) => [c.name, c.isKey, c.typeOid, c.typeMod]), [['id', true, 23, -1], ['amount', false, 1700, 655366]]);
  });

  test('INSERT, UPDATE with old key, DELETE with null/toast/text columns', () => {
    const ins = decodePgOutput(new W().c('I').u32(7).c('N').i16(3).text('1').c('n').c('u').done());
    assert.deepEqual(ins, { tag: 'insert', relationId: 7, newTuple: ['1', null, UNCHANGED_TOAST] });
    const upd = decodePgOutput(new W().c('U').u32(7).c('K').i16(1).text('1').c('N').i16(1).text('2').done());
    assert.deepEqual(upd, { tag: 'update', relationId: 7, oldKind: 'K', oldTuple: ['1'], newTuple: ['2'] });
    const upd2 = decodePgOutput(new W().c('U').u32(7).c('N').i16(1).text('é').done());
    assert.deepEqual(upd2, { tag: 'update', relationId: 7, oldKind: null, oldTuple: null, newTuple: ['é'] });
    const del = decodePgOutput(new W().c('D').u32(7).c('O').i16(2).text('1').c('n').done());
    assert.deepEqual(del, { tag: 'delete', relationId: 7, oldKind: 'O', oldTuple: ['1', null] });
  });

  test('TRUNCATE, MESSAGE, ORIGIN, TYPE', () => {
    assert.deepEqual(decodePgOutput(new W().c('T').u32(2).u8(3).u32(10).u32(11).done()), { tag: 'truncate', cascade: true, restartIdentity: true, relationIds: [10, 11] });
    const m = decodePgOutput(new W().c('M').u8(1).i64(42n).str('pfx').u32(3).raw(Buffer.from('abc')).done());
    assert.equal(m.tag, 'message');
    if (m.tag === 'message') {
      assert.equal(m.transactional, true);
      assert.equal(m.lsn, 42);
      assert.equal(m.prefix, 'pfx');
      assert.equal(Buffer.from(m.content).toString(), 'abc');
    }
    assert.deepEqual(decodePgOutput(new W().c('O').i64(9n).str('node1').done()), { tag: 'origin', originLsn: 9, name: 'node1' });
    assert.deepEqual(decodePgOutput(new W().c('Y').u32(99).str('public').str('mood').done()), { tag: 'type', typeOid: 99, schema: 'public', name: 'mood' });
  });

  test('truncated and unknown messages are errors', () => {
    assert.throws(() => decodePgOutput(new W().c('B').i64(1n).done()), /truncated/);
    assert.throws(() => decodePgOutput(new W().c('Z').done()), /Unknown pgoutput message/);
    assert.throws(() => decodePgOutput(new W().c('I').u32(1).c('N').i16(1).c('x').done()), /unknown tuple column kind/);
  });

  test('LSN text form', () => {
    assert.equal(parseLsn('16/B374D848'), 0x16b374d848);
    assert.equal(formatLsn(0x16b374d848), '16/B374D848');
    assert.equal(formatLsn(0), '0/0');
  });
});
