/**
 * Embedded log throughput against plain file I/O measured in the same run.
 *
 *   node --import tsx bench/embedded-log.bench.ts
 *   npx tsc -p tsconfig.bench.json && node .cache/bench/bench/embedded-log.bench.js   # compiled, as production runs
 *   BENCH_RECORDS=200000 BENCH_BATCH=500 BENCH_FSYNC=always,never BENCH_REPEAT=3 node --import tsx bench/embedded-log.bench.ts
 *
 * produce: N records of 1 KiB (null key) in send() calls of BATCH records, one partition.
 *          reference: the same bytes appended to a plain file with one write per batch, with an
 *          fdatasync per batch when the policy is `always` (none otherwise).
 * consume: one consumer polls all N records back (max.poll.records 500).
 *          reference: one sequential read of the reference file in 1 MiB chunks.
 * Each measurement alternates reference and embedded BENCH_REPEAT times and keeps the best of each
 * (the machine may be shared; the best run is the least disturbed one).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedTopicBackend } from '../src/connect/topics/embedded/index.js';
import type { FsyncPolicy } from '../src/connect/topics/embedded/index.js';
import type { ProduceRecord } from '../src/connect/topics/types.js';

const N = Number(process.env.BENCH_RECORDS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const SIZE = 1024;
const POLICIES = (process.env.BENCH_FSYNC ?? 'always,never').split(',') as FsyncPolicy[];
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

const values = Array.from({ length: BATCH }, (_, i) => Buffer.alloc(SIZE, i % 251));

interface Row {
  policy: string;
  phase: string;
  seconds: number;
  refSeconds: number;
}

async function plainAppend(file: string, policy: FsyncPolicy): Promise<number> {
  const t0 = performance.now();
  const fh = await fs.promises.open(file, 'a');
  for (let done = 0; done < N; done += BATCH) {
    const bytes = Buffer.concat(values.slice(0, Math.min(BATCH, N - done)));
    await fh.write(bytes, 0, bytes.length);
    if (policy === 'always') await fh.datasync();
  }
  if (policy !== 'never') await fh.datasync();
  await fh.close();
  return (performance.now() - t0) / 1000;
}

async function plainRead(file: string): Promise<number> {
  const t0 = performance.now();
  const fh = await fs.promises.open(file, 'r');
  let pos = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
  }
  await fh.close();
  if (pos !== N * SIZE) throw new Error(`read ${pos} bytes`);
  return (performance.now() - t0) / 1000;
}

async function embedded(dir: string, policy: FsyncPolicy): Promise<{ produce: number; consume: number }> {
  const backend = new EmbeddedTopicBackend({ dir, fsync: policy });
  await backend.start();
  await backend.createTopics([{ name: 'bench', partitions: 1 }]);
  const producer = backend.producer({ clientId: 'bench' });
  const t0 = performance.now();
  for (let done = 0; done < N; done += BATCH) {
    const records: ProduceRecord[] = [];
    for (let i = 0; i < BATCH && done + i < N; i++) records.push({ topic: 'bench', partition: 0, key: null, value: values[i]! });
    await producer.send(records);
  }
  const produce = (performance.now() - t0) / 1000;

  const consumer = backend.consumer('bench', { clientId: 'bench' });
  await consumer.subscribe(['bench']);
  const t1 = performance.now();
  let count = 0;
  let bytes = 0;
  while (count < N) {
    const recs = await consumer.poll(1000);
    if (recs.length === 0) throw new Error(`stalled at ${count}`);
    for (const r of recs) bytes += r.value!.length;
    count += recs.length;
  }
  const consume = (performance.now() - t1) / 1000;
  if (bytes !== N * SIZE) throw new Error(`consumed ${bytes} bytes`);
  await consumer.close();
  await backend.close();
  return { produce, consume };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const policy of POLICIES) {
    const best = { produce: Infinity, consume: Infinity, refProduce: Infinity, refConsume: Infinity };
    for (let run = 0; run < REPEAT; run++) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsconnect-bench-'));
      try {
        const refFile = path.join(root, 'plain.bin');
        best.refProduce = Math.min(best.refProduce, await plainAppend(refFile, policy));
        best.refConsume = Math.min(best.refConsume, await plainRead(refFile));
        const e = await embedded(path.join(root, 'log'), policy);
        best.produce = Math.min(best.produce, e.produce);
        best.consume = Math.min(best.consume, e.consume);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
    rows.push({ policy, phase: 'produce', seconds: best.produce, refSeconds: best.refProduce });
    rows.push({ policy, phase: 'consume', seconds: best.consume, refSeconds: best.refConsume });
  }
  const mb = (N * SIZE) / 1e6;
  console.log(`embedded log: ${fmt(N)} records of ${SIZE} B, batches of ${BATCH}, one partition, best of ${REPEAT}, Node ${process.version}, ${os.cpus().length} CPUs`);
  const header = ['fsync', 'phase', 'embedded rec/s', 'embedded MB/s', 'plain fs rec/s', 'plain fs MB/s', 'ratio'];
  const table = rows.map((r) => [
    r.policy,
    r.phase,
    fmt(N / r.seconds),
    fmt(mb / r.seconds, 1),
    fmt(N / r.refSeconds),
    fmt(mb / r.refSeconds, 1),
    fmt(r.refSeconds / r.seconds, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  console.log('ratio = embedded throughput / plain fs throughput (1.00 = as fast as raw appends / a raw sequential read)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
