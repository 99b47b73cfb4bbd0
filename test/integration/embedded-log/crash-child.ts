/**
 * Child process of the crash test: produces to topic `crash` with fsync=always, a batch of 1..20
 * records per send(), and prints `acked <offset>` for every record whose send() resolved, until killed.
 */
import { createHash } from 'node:crypto';
import { EmbeddedTopicBackend } from '../../../src/connect/topics/embedded/index.js';

/** The value of the record at `offset`: deterministic, varied in size (so batches straddle chunk ends). */
export function crashRecordValue(offset: number): Buffer {
  const seed = createHash('sha256').update(String(offset)).digest();
  const size = 1 + (seed.readUInt16LE(0) % 3000);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += seed.length) seed.copy(out, i, 0, Math.min(seed.length, size - i));
  return out;
}

async function main(dir: string): Promise<void> {
  const backend = new EmbeddedTopicBackend({ dir, fsync: 'always' });
  await backend.start();
  await backend.createTopics([{ name: 'crash', partitions: 1, configs: { 'segment.bytes': String(256 * 1024) } }]);
  const producer = backend.producer({ clientId: 'crash' });
  let next = 0;
  for (;;) {
    const n = 1 + (next % 20);
    const records = Array.from({ length: n }, (_, i) => ({
      topic: 'crash',
      partition: 0,
      key: Buffer.from(`key-${next + i}`),
      value: crashRecordValue(next + i),
    }));
    const md = await producer.send(records);
    for (const m of md) {
      if (m.offset !== next) throw new Error(`offset ${m.offset}, expected ${next}`);
      process.stdout.write(`acked ${m.offset}\n`);
      next++;
    }
  }
}

if (process.argv[2] && import.meta.url.endsWith(process.argv[1]!.split('/').pop()!)) {
  main(process.argv[2]).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
