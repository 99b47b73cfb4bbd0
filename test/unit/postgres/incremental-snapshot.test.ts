/**
 * Incremental snapshot building blocks without a server: signal parsing, the chunk window's dedup, chunk
 * SQL, the offset context and the Java-serialized key form Debezium stores.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkWindow, keyString } from '../../../src/connectors/postgres/incremental-snapshot/window.js';
import { chunkQuery, maxKeyQuery } from '../../../src/connectors/postgres/incremental-snapshot/chunk-query.js';
import { IncrementalSnapshotContext } from '../../../src/connectors/postgres/incremental-snapshot/context.js';
import { deserializeKeyArray, serializeKeyArray } from '../../../src/connectors/postgres/incremental-snapshot/java-serialization.js';
import { metadataString } from '../../../src/connectors/postgres/incremental-snapshot/snapshotter.js';
import {
  collectionPattern, conditionFor, formatLogMessage, parseExecuteSnapshot, parseStopSnapshot, signalData, signalFromFileLine, signalFromRow,
} from '../../../src/connectors/postgres/signals/signal.js';
import { signalFromKafkaRecord } from '../../../src/connectors/postgres/signals/kafka-channel.js';
import { parsePostgresConfig } from '../../../src/connectors/postgres/config.js';
import { ConfigException } from '../../../src/connect/errors.js';

describe('signal parsing', () => {
  test('a signal-table INSERT row is a signal; a DELETE of an open watermark closes the window', () => {
    assert.deepEqual(signalFromRow('c', ['s1', 'execute-snapshot', '{"data-collections":["public.t"]}']), { id: 's1', type: 'execute-snapshot', data: '{"data-collections":["public.t"]}' });
    assert.deepEqual(signalFromRow('d', ['abc-open', null, null]), { id: 'abc-close', type: 'snapshot-window-close', data: null });
    assert.equal(signalFromRow('c', [null, 'x', null]), null);
  });

  test('execute-snapshot data: collections, type, additional conditions, surrogate key', () => {
    const req = parseExecuteSnapshot(signalData({ id: '1', type: 'execute-snapshot', data: JSON.stringify({
      'data-collections': [' public.t1 ', 'public\\.t2.*'], type: 'INCREMENTAL',
      'additional-conditions': [{ 'data-collection': 'PUBLIC.T1', filter: "color='blue'" }], 'surrogate-key': 'sk',
    }) }));
    assert.ok(typeof req !== 'string');
    assert.deepEqual(req.dataCollections, ['public.t1', 'public\\.t2.*']);
    assert.equal(req.type, 'INCREMENTAL');
    assert.equal(req.surrogateKey, 'sk');
    assert.equal(conditionFor(req, 'public.t1'), "(color='blue')", 'conditions match case-insensitively and are parenthesized');
    assert.equal(conditionFor(req, 'public.t2x'), null);
    assert.equal(parseExecuteSnapshot({ 'data-collections': ['a.b'] }).constructor, Object, 'type defaults to incremental');
    assert.equal((parseExecuteSnapshot({ 'data-collections': ['a.b'] }) as { type: string }).type, 'INCREMENTAL');
    assert.equal(typeof parseExecuteSnapshot({ 'data-collections': [] }), 'string', 'an empty list does nothing');
    assert.equal(typeof parseExecuteSnapshot({}), 'string');
    assert.equal(typeof parseExecuteSnapshot({ 'data-collections': [1] }), 'string');
    assert.equal(typeof parseExecuteSnapshot({ 'data-collections': ['a.b'], type: 'sideways' }), 'string');
  });

  test('stop-snapshot: no list stops everything', () => {
    assert.deepEqual(parseStopSnapshot({ type: 'incremental' }), { type: 'INCREMENTAL', dataCollections: null });
    assert.deepEqual(parseStopSnapshot({ 'data-collections': ['public.a'] }), { type: 'INCREMENTAL', dataCollections: ['public.a'] });
  });

  test('collection names are case-sensitive whole-name regexes', () => {
    assert.ok(collectionPattern('public\\.t.*').test('public.t1'));
    assert.ok(!collectionPattern('public.t').test('public.t1'));
    assert.ok(!collectionPattern('public.T1').test('public.t1'));
  });

  test('file lines, bad data, log placeholders', () => {
    assert.deepEqual(signalFromFileLine('{"id":"f1","type":"log","data":{"message":"hi {}"}}'), { id: 'f1', type: 'log', data: '{"message":"hi {}"}' });
    assert.throws(() => signalFromFileLine('{"type":"log"}'));
    assert.throws(() => signalData({ id: 'x', type: 'log', data: '[1]' }));
    assert.deepEqual(signalData({ id: 'x', type: 'log', data: '' }), {});
    assert.equal(formatLogMessage('at {}', { lsn: 5 }), 'at {"lsn":5}');
  });

  test('a record of the kafka channel: keyed by topic.prefix, {id, type, data}; the offset names a signal without id', () => {
    const rec = (key: string | null, value: string | null, offset = 7) => ({ key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), offset });
    const snapshot = '{"type":"execute-snapshot","data":{"data-collections":["public.t"]}}';
    assert.deepEqual(signalFromKafkaRecord(rec('srv', snapshot), 'srv'), { id: 'kafka-7', type: 'execute-snapshot', data: '{"data-collections":["public.t"]}' });
    assert.deepEqual(signalFromKafkaRecord(rec('srv', '{"id":"a","type":"pause-snapshot"}'), 'srv'), { id: 'a', type: 'pause-snapshot', data: null });
    assert.equal(signalFromKafkaRecord(rec('other', snapshot), 'srv'), null);
    assert.equal(signalFromKafkaRecord(rec(null, snapshot), 'srv'), null);
    assert.equal(signalFromKafkaRecord(rec('srv', null), 'srv'), null);
    assert.throws(() => signalFromKafkaRecord(rec('srv', 'not json'), 'srv'));
    assert.throws(() => signalFromKafkaRecord(rec('srv', '{"id":"a"}'), 'srv'), /type/);
  });

  test('kafka channel settings: topic and group default from topic.prefix, signal.consumer.* passed on, servers required', () => {
    const base = { 'topic.prefix': 'srv', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'signal.enabled.channels': 'source,kafka' };
    const k = parsePostgresConfig({ ...base, 'signal.kafka.bootstrap.servers': 'b:9092', 'signal.consumer.security.protocol': 'SSL' }).signals.kafka;
    assert.deepEqual(k, { topic: 'srv-signal', bootstrapServers: 'b:9092', groupId: 'kafka-signal-srv', pollTimeoutMs: 0, consumerProps: { 'security.protocol': 'SSL' } });
    assert.equal(parsePostgresConfig({ ...base, 'signal.enabled.channels': 'source', 'signal.kafka.bootstrap.servers': 'b:9092' }).signals.kafka, null);
    assert.throws(() => parsePostgresConfig(base), (e: unknown) => e instanceof ConfigException && /signal\.kafka\.bootstrap\.servers/.test(e.message));
  });
});

describe('chunk window', () => {
  test('streamed keys drop buffered rows; the rest drain in chunk order', () => {
    const w = new ChunkWindow<number>();
    for (let i = 1; i <= 5; i++) w.put(keyString([i]), i);
    assert.equal(w.deduplicate(keyString([3])), true);
    assert.equal(w.deduplicate(keyString([3])), false);
    assert.equal(w.deduplicate(keyString([42])), false);
    assert.deepEqual(w.drain(), [1, 2, 4, 5]);
    assert.ok(w.empty);
  });

  test('key strings tell types and composite parts apart', () => {
    assert.notEqual(keyString([1]), keyString(['1']));
    assert.notEqual(keyString(['a', 'bc']), keyString(['ab', 'c']));
    assert.equal(keyString([10n]), keyString([10]));
    assert.equal(keyString([new Date(5)]), keyString([new Date(5)]));
  });
});

describe('chunk queries', () => {
  const base = { schema: 'public', table: 'T', columns: ['a', 'b', 'v'], keyColumns: [{ name: 'a', nullable: false }, { name: 'b', nullable: false }], limit: 3 };

  test('first chunk: key order and limit, with the additional condition', () => {
    const q = chunkQuery({ ...base, after: null, max: ['9', 'z'], condition: '(v > 1)' });
    assert.equal(q.text, 'SELECT "a", "b", "v" FROM "public"."T" WHERE (v > 1) ORDER BY "a", "b" LIMIT 3');
    assert.deepEqual(q.values, []);
  });

  test('later chunks: after the last key and up to the maximum key (row values)', () => {
    const q = chunkQuery({ ...base, after: ['1', 'x'], max: ['9', 'z'], condition: null });
    assert.equal(q.text, 'SELECT "a", "b", "v" FROM "public"."T" WHERE ROW("a", "b") > ROW($1, $2) AND ROW("a", "b") <= ROW($3, $4) ORDER BY "a", "b" LIMIT 3');
    assert.deepEqual(q.values, ['1', 'x', '9', 'z']);
    const one = chunkQuery({ ...base, keyColumns: [{ name: 'a', nullable: false }], after: ['1'], max: ['9'], condition: null });
    assert.equal(one.text, 'SELECT "a", "b", "v" FROM "public"."T" WHERE "a" > $1 AND "a" <= $2 ORDER BY "a" LIMIT 3');
  });

  test('nullable surrogate keys: NULLs sort last', () => {
    const q = chunkQuery({ ...base, keyColumns: [{ name: 's', nullable: true }], after: ['4'], max: [null], condition: null });
    assert.equal(q.text, 'SELECT "a", "b", "v" FROM "public"."T" WHERE ((("s" > $1 OR "s" IS NULL))) AND NOT ((1 = 0)) ORDER BY "s" LIMIT 3');
    assert.deepEqual(q.values, ['4']);
  });

  test('maximum key', () => {
    assert.equal(maxKeyQuery('public', 't', base.keyColumns, '(v > 1)'), 'SELECT "a", "b" FROM "public"."t" WHERE (v > 1) ORDER BY "a" DESC, "b" DESC LIMIT 1');
  });
});

describe('offsets', () => {
  test('Object[]{Integer 1} serializes exactly as ObjectOutputStream does', () => {
    const expected = 'aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001'
      + '737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b020000787000000001';
    assert.equal(serializeKeyArray([{ type: 'int', value: 1 }]), expected);
    assert.deepEqual(deserializeKeyArray(expected), ['1']);
    assert.equal(serializeKeyArray(null), 'aced000570');
    assert.equal(deserializeKeyArray('aced000570'), null);
  });

  test('mixed keys round-trip (class descriptors are referenced the second time)', () => {
    const hex = serializeKeyArray([{ type: 'int', value: -7 }, { type: 'long', value: 9007199254740993n }, { type: 'string', value: 'zé' }, null, { type: 'int', value: 3 }, { type: 'long', value: 4n }]);
    assert.deepEqual(deserializeKeyArray(hex), ['-7', '9007199254740993', 'zé', null, '3', '4']);
    assert.ok(hex.includes('7371007e'), 'a repeated class is a TC_REFERENCE');
  });

  test('context store/load: collections JSON, keys, correlation id; nothing when idle', () => {
    const c = new IncrementalSnapshotContext();
    assert.deepEqual(c.store({ lsn: 1 }), { lsn: 1 });
    c.add('sig-1', [{ id: 'public.t', additionalCondition: '(v > 1)', surrogateKey: null, correlationId: 'sig-1' }]);
    c.setLastEventKey({ values: ['5'], types: ['int'] });
    c.setMaximumKey({ values: ['100'], types: ['int'] });
    const m = c.store({ lsn: 1 });
    assert.equal(m.incremental_snapshot_collections, '[{"incremental_snapshot_collections_id":"public.t","incremental_snapshot_collections_additional_condition":"(v > 1)","incremental_snapshot_collections_surrogate_key":null,"incremental_snapshot_collections_correlation_id":"sig-1"}]');
    assert.equal(m.incremental_snapshot_correlation_id, 'sig-1');
    const back = IncrementalSnapshotContext.load(m);
    assert.ok(back.running);
    assert.deepEqual(back.chunkEnd?.values, ['5'], 'a restart resumes after the last emitted key');
    assert.deepEqual(back.maximumKey?.values, ['100']);
    assert.equal(back.current?.additionalCondition, '(v > 1)');
    back.nextDataCollection();
    assert.ok(!back.running);
    assert.deepEqual(back.store({}), {});
  });

  test('window ids of other chunks are ignored', () => {
    const c = new IncrementalSnapshotContext();
    assert.equal(c.openWindow('x-open'), false);
    const id = c.startNewChunk();
    assert.equal(c.openWindow('other-open'), false);
    assert.equal(c.openWindow(`${id}-open`), true);
    assert.equal(c.closeWindow(`${id}-close`), true);
    assert.equal(c.windowOpened, false);
  });

  test('watermark metadata uses Debezium\'s spacing', () => {
    assert.equal(metadataString({ openWindowTimestamp: 't1', dataCollectionId: 'public.t' }), '{"openWindowTimestamp": "t1", "dataCollectionId": "public.t"}');
  });
});
