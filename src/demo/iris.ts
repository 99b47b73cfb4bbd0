/**
 * The Debezium iris blog demo on one machine: the blog's `iris-connector-flink` (or `-spark`) JSON posted
 * unchanged but for the database address, and the online k-means sink in place of the Flink (or Spark)
 * job. The rows go in as `iris2sql.py` writes them and in the blog's order (train1, test; train2, test;
 * train2, test); after each test load the demo prints what the job printed, then how many of the 11 test
 * points are right once cluster ids are matched to classes.
 *
 * Matching: cluster ids are arbitrary (Spark's especially), so after each round the demo asks the model
 * (`POST /ml/{connector}/predict`) for the cluster of every training row and picks the one-to-one
 * cluster → class assignment that agrees with the most training rows. The test labels are never used
 * for it. With the blog's ordered initial centroids this is the identity for Flink, so its first table
 * scores the blog's 5 of 11.
 */
import { IRIS_BLOG_TEST, IRIS_CLASSES, IRIS_SPLIT_SEEDS, type IrisRow, irisBlogSplit } from '../../ml-sinks/datasets.js';
import { progressBar } from './progress.js';
import { type ConnectorDatabase, type DemoContext, TopicTail, blogPostgresSource, assertRunning, getJson, postConnector, postJson, requireFreshTables, waitUntil } from './support.js';

export type IrisMode = 'flink' | 'spark';

export interface IrisRound {
  title: string;
  /** The lines the job printed (Flink: the topic's values; Spark: the `(label,cluster)` tuples). */
  lines: string[];
  clusters: number[];
  /** cluster id → class, from the training rows. */
  mapping: number[];
  correct: number;
}

export interface IrisResult {
  mode: IrisMode;
  rounds: IrisRound[];
  correct: number[];
}

const CREATE_TABLE = (name: string) =>
  `CREATE TABLE IF NOT EXISTS ${name}(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int);`;

export const irisInsert = (table: string, r: IrisRow) =>
  `INSERT INTO ${table}(sepal_length, sepal_width, petal_length, petal_width, iris_class) VALUES(${r.sepal_length}, ${r.sepal_width}, ${r.petal_length}, ${r.petal_width}, ${r.iris_class});`;

/** The blog's connector JSON (register-postgres-flink.json / -spark.json), verbatim but for the database. */
export function irisConnector(mode: IrisMode, db: ConnectorDatabase): { name: string; config: Record<string, string> } {
  const schemas = mode === 'flink' ? 'true' : 'false';
  return {
    name: `iris-connector-${mode}`,
    config: {
      ...blogPostgresSource(db),
      'topic.prefix': mode,
      'table.include.list': 'public.iris_.*',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': schemas,
      'value.converter.schemas.enable': schemas,
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    },
  };
}

/** Kept for callers of the first version of the demo. */
export const irisFlinkConnector = (host: string, port: number) => irisConnector('flink', { host, port });

/** The k-means sink doing what the blog's FlinkKafkaKmeans (or SparkKafkaStreamingKmeans) job did. */
export function irisKMeansConnector(mode: IrisMode = 'flink'): { name: string; config: Record<string, string> } {
  const schemas = mode === 'flink' ? 'true' : 'false';
  return {
    name: `iris-kmeans-${mode}`,
    config: {
      'connector.class': 'io.tsconnect.ml.KMeansSinkConnector',
      'tasks.max': '1',
      topics: `${mode}.public.iris_train,${mode}.public.iris_test`,
      'train.topics': `${mode}.public.iris_train`,
      'predict.topics': `${mode}.public.iris_test`,
      algorithm: mode,
      'initial.centroids': '6.0,3.0,1.0,0.0;6.0,3.0,2.0,1.0;6.0,3.0,3.0,2.0',
      features: 'sepal_length,sepal_width,petal_length,petal_width',
      'label.field': 'iris_class',
      'predictions.topic': 'iris_predictions',
      'output.format': mode,
      // Both jobs wrote plain strings (Flink's SimpleStringSchema; Spark printed them): the StringConverter.
      'output.key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'output.value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': schemas,
      'value.converter.schemas.enable': schemas,
    },
  };
}

/** Runs the SQL like `psql -f iris_*.sql`: one INSERT per row, with a progress bar. */
async function loadRows(ctx: DemoContext, file: string, table: string, rows: readonly IrisRow[]): Promise<void> {
  const bar = progressBar(`  loading ${file.padEnd(16)}`, rows.length, { out: ctx.print, tty: ctx.options.tty });
  let n = 0;
  for (const r of rows) {
    await ctx.db.query(irisInsert(table, r));
    bar.update(++n);
  }
  bar.finish();
}

const PERMUTATIONS_3 = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

/** The one-to-one cluster → class assignment agreeing with the most training rows under the current model. */
async function matchClusters(ctx: DemoContext, sink: string, train: readonly IrisRow[]): Promise<{ mapping: number[]; agree: number }> {
  const clusters = await Promise.all(
    train.map(async (r) => {
      const p = await postJson<{ prediction: number | null }>(`${ctx.url}/ml/${sink}/predict`, {
        features: [r.sepal_length, r.sepal_width, r.petal_length, r.petal_width],
      });
      return p.prediction ?? -1;
    }),
  );
  let best = PERMUTATIONS_3[0]!;
  let agree = -1;
  for (const perm of PERMUTATIONS_3) {
    const n = train.filter((r, i) => perm[clusters[i]!] === r.iris_class).length;
    if (n > agree) {
      agree = n;
      best = perm;
    }
  }
  return { mapping: best, agree };
}

/** The cluster id in a prediction line of either format. */
export function clusterOf(mode: IrisMode, line: string): number {
  const m = mode === 'flink' ? / is classified as (\d+)$/.exec(line) : /^\([^,]*,(\d+)\)$/.exec(line);
  if (!m) throw new Error(`Unexpected prediction line: ${line}`);
  return Number(m[1]);
}

export async function runIrisDemo(ctx: DemoContext, mode: IrisMode = 'flink'): Promise<IrisResult> {
  const { say } = ctx;
  const split = irisBlogSplit(IRIS_SPLIT_SEEDS[mode]);
  const connector = irisConnector(mode, ctx.pg);
  const sink = irisKMeansConnector(mode);
  const names = [connector.name, sink.name];
  if (!ctx.pg.throwaway) await requireFreshTables(ctx, ['iris_train', 'iris_test']);

  say(`Iris, ${mode} mode. Split: the blog's 11 test points; train1 = 1 row, train2 = 138 rows (seed ${IRIS_SPLIT_SEEDS[mode]})`);
  say("Creating iris_train and iris_test and loading iris_train1.sql, as the blog's postgres image does");
  await ctx.db.query(CREATE_TABLE('iris_train'));
  await ctx.db.query(CREATE_TABLE('iris_test'));
  await loadRows(ctx, 'iris_train1.sql', 'iris_train', split.train1);

  const tail = await TopicTail.open(ctx, 'iris_predictions');
  // The blog's README creates the test topic by hand (kafka-topics.sh --create) so the job can subscribe
  // before the first test row exists; the demo creates both topics the sink reads, with 1 partition.
  await ctx.worker.backend.createTopics([`${mode}.public.iris_train`, `${mode}.public.iris_test`].map((name) => ({ name, partitions: 1 })));
  say(`POST /connectors ${connector.name} (the blog's register-postgres-${mode}.json)`);
  await postConnector(ctx.url, connector);
  say(`POST /connectors ${sink.name} (online k-means, ${mode === 'flink' ? 'Flink ML OnlineKMeans' : 'Spark StreamingKMeans'} rule, in place of the ${mode === 'flink' ? 'Flink' : 'Spark'} job)`);
  await postConnector(ctx.url, sink);

  const status = () => getJson<{ samplesSeen: number; modelVersion: number }>(`${ctx.url}/ml/${sink.name}`).catch(() => null);
  let trained = 0;
  /** Waits until the model has read every training row loaded so far (the blog's readers waited by eye). */
  const waitForTraining = async () => {
    const bar = progressBar('  model reading training rows', trained, { out: ctx.print, tty: ctx.options.tty });
    const s = await waitUntil(ctx, `the model to read ${trained} training rows`, async () => {
      const st = await status();
      if (st) bar.update(st.samplesSeen);
      return st && st.samplesSeen >= trained ? st : undefined;
    }, names);
    bar.finish(`model version ${s.modelVersion}`);
  };

  const rounds: IrisRound[] = [];
  const round = async (title: string) => {
    await loadRows(ctx, 'iris_test.sql', 'iris_test', split.test);
    const records = await tail.read(split.test.length, { check: () => Promise.all(names.map((n) => assertRunning(ctx.url, n))).then(() => undefined) });
    const lines = records.map((r) => r.value ?? 'null');
    const clusters = lines.map((l) => clusterOf(mode, l));
    const { mapping, agree } = await matchClusters(ctx, sink.name, [...split.train1, ...split.train2]);
    const correct = clusters.filter((c, i) => mapping[c] === IRIS_BLOG_TEST[i]!.iris_class).length;
    say(title);
    if (mode === 'flink') {
      for (const l of lines) ctx.print(l);
    } else {
      // DStream.print(11): a header per micro-batch, the tuples, a blank line.
      ctx.print('-------------------------------------------');
      ctx.print(`Time: ${Math.floor((records[0]?.timestamp ?? Date.now()) / 1000) * 1000} ms`);
      ctx.print('-------------------------------------------');
      for (const l of lines) ctx.print(l);
      ctx.print('');
    }
    const mapText = mapping.map((cls, c) => `${c}→${cls} (${IRIS_CLASSES[cls]})`).join(', ');
    ctx.print(`Clusters matched to classes on the training rows (${agree} of ${split.train1.length + split.train2.length} agree): ${mapText}`);
    ctx.print(`${correct} of ${split.test.length} correct`);
    rounds.push({ title, lines, clusters, mapping, correct });
  };

  try {
    trained = split.train1.length;
    await waitForTraining();
    await round('Predictions with the initial model (iris_test.sql loaded):');

    for (const pass of ['', ' again']) {
      say(`Loading iris_train2.sql${pass}: the model learns ${mode === 'flink' ? 'in mini-batches of 32 (globalBatchSize)' : 'once per delivered micro-batch'}`);
      await loadRows(ctx, 'iris_train2.sql', 'iris_train', split.train2);
      trained += split.train2.length;
      await waitForTraining();
      await round(`Predictions after iris_train2.sql${pass} (iris_test.sql loaded again):`);
    }
  } finally {
    await tail.close();
  }
  return { mode, rounds, correct: rounds.map((r) => r.correct) };
}
