/**
 * Records/s through ExtractNewRecordState + ReplaceField + InsertField + JsonConverter on prebuilt Debezium
 * envelopes, as a ratio to JsonConverter alone (serializing the same transformed rows) in the same run.
 * Goal (issue 4): the three transforms cost at most 30% on top of serialization, i.e. ratio >= 0.77.
 *
 *   node --import tsx bench/transforms.bench.ts [records]
 */
import { SourceRecord } from '../src/connect/data/index.js';
import { PluginRegistry } from '../src/connect/runtime/plugins.js';
import { transformationStages } from '../src/connect/runtime/connector-config.js';
import { RetryWithToleranceOperator } from '../src/connect/runtime/errors/retry-with-tolerance.js';
import { TransformationChain } from '../src/connect/runtime/transformation-chain.js';
import { JsonConverter } from '../src/converters/json-converter.js';
import { builtinPlugins } from '../src/plugins.js';
import { changeRecord } from '../test/unit/transforms/fixtures.js';

const N = Number(process.argv[2] ?? 200_000);
const registry = new PluginRegistry().register(...builtinPlugins());
const chain = new TransformationChain(
  transformationStages(registry, {
    transforms: 'unwrap,replace,insert',
    'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    'transforms.replace.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
    'transforms.replace.exclude': 'status',
    'transforms.replace.renames': 'first_name:firstName',
    'transforms.insert.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
    'transforms.insert.topic.field': 'topic',
    'transforms.insert.timestamp.field': 'ts',
  }),
  new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 0, tolerance: 'none' }),
);
const json = new JsonConverter();
json.configure({ 'schemas.enable': 'true' }, false);

const input: SourceRecord[] = [];
for (let i = 0; i < 1000; i++) {
  input.push(changeRecord('c', null, { id: i, first_name: `name-${i}`, email: `user${i}@example.com`, status: i % 2 ? 'active' : null }).newRecord({ timestamp: 1700000000000 + i }));
}
const transformed = input.map((r) => chain.apply(r)!);

function run(label: string, fn: (i: number) => void): number {
  for (let i = 0; i < 20_000; i++) fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = N / s;
  console.log(`${label.padEnd(48)} ${Math.round(rate).toLocaleString('en').padStart(12)} records/s`);
  return rate;
}

let sink = 0;
const results: [number, number][] = [];
for (let round = 0; round < 3; round++) {
  const alone = run('JsonConverter alone (transformed rows)', (i) => {
    const r = transformed[i % 1000]!;
    sink += json.fromConnectData(r.topic, r.valueSchema, r.value)!.length;
  });
  const full = run('unwrap + ReplaceField + InsertField + JsonConverter', (i) => {
    const r = chain.apply(input[i % 1000]!)!;
    sink += json.fromConnectData(r.topic, r.valueSchema, r.value)!.length;
  });
  results.push([alone, full]);
  // An extra case, not part of the ratio: the three transforms without serialization.
  run('unwrap + ReplaceField + InsertField (no JSON)', (i) => {
    sink += chain.apply(input[i % 1000]!)!.topic.length;
  });
}
const best = results.map(([a, f]) => f / a).sort((a, b) => b - a)[0]!;
console.log(`\nratio (chain+JSON / JSON alone), best of 3: ${best.toFixed(2)}  (goal >= 0.77: transforms cost at most 30% on top)  [${sink > 0 ? 'ok' : ''}]`);
