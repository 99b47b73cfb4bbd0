import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SubmittedRecords } from '../../../src/connect/runtime/submitted-records.js';

test('only offsets whose records and all earlier records of the partition are acknowledged are committable', () => {
  const s = new SubmittedRecords('conn');
  const a1 = s.submit({ server: 'a' }, { lsn: 1 });
  const a2 = s.submit({ server: 'a' }, { lsn: 2 });
  const b1 = s.submit({ server: 'b' }, { lsn: 10 });
  const a3 = s.submit({ server: 'a' }, { lsn: 3 });
  s.ack(a2);
  s.ack(b1);
  let c = s.committable();
  assert.deepEqual([...c.values()].map((x) => x.offset), [{ lsn: 10 }], 'a2 is acked but a1 is not: nothing of a');
  s.ack(a1);
  c = s.committable();
  assert.deepEqual([...c.values()].map((x) => x.offset), [{ lsn: 2 }]);
  assert.equal(s.pending, 1);
  s.ack(a3);
  assert.deepEqual([...s.committable().values()].map((x) => x.offset), [{ lsn: 3 }]);
  assert.equal(s.committable().size, 0, 'committed heads are removed');
});

test('records without partition or offset are not tracked', () => {
  const s = new SubmittedRecords('conn');
  assert.equal(s.submit(null, { x: 1 }), null);
  assert.equal(s.pending, 0);
});
