/**
 * Reading stored offsets back (specs/debezium-postgres.md §5.1): an initial snapshot's offset says whether the
 * snapshot finished; a blocking snapshot's offset is a streaming position (no snapshot is redone on restart).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockingSnapshotOffsetMap, loadOffset, snapshotOffsetMap } from '../../../src/connectors/postgres/offsets.js';

const stream = { lsn_proc: 200, messageType: 'INSERT', lsn_commit: 150, lsn: 200, txId: 7, ts_usec: 1, transaction_id: '7', incremental_snapshot_collections: '[]' };

test('initial snapshot offsets: in progress until the last record', () => {
  const running = loadOffset(snapshotOffsetMap({ lsn: 100, txId: 5, tsUsec: 1, lastSnapshotRecord: false }))!;
  assert.equal(running.snapshotInProgress, true);
  assert.equal(running.fromSnapshot, true);
  assert.equal(loadOffset(snapshotOffsetMap({ lsn: 100, txId: 5, tsUsec: 1, lastSnapshotRecord: true }))!.snapshotInProgress, false);
  assert.equal(loadOffset({ lsn: 100, snapshot: true, last_snapshot_record: false })!.snapshotInProgress, true, 'Debezium <= 3.0 form');
});

test('blocking snapshot offsets: the stream position without tx and incremental keys; read back as streaming', () => {
  const m = blockingSnapshotOffsetMap(stream, false);
  assert.deepEqual(m, { lsn_proc: 200, messageType: 'INSERT', lsn_commit: 150, lsn: 200, txId: 7, ts_usec: 1, snapshot: 'BLOCKING', last_snapshot_record: false, snapshot_completed: false });
  const o = loadOffset(m)!;
  assert.equal(o.snapshotInProgress, false);
  assert.equal(o.fromSnapshot, false);
  assert.deepEqual([o.lsnProc, o.lsnCommit, o.messageType], [200, 150, 'INSERT']);
  assert.equal(blockingSnapshotOffsetMap(stream, true).snapshot_completed, true);
});
