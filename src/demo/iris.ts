/**
 * The Debezium iris blog demo on one machine: a throwaway PostgreSQL, a standalone worker on the embedded log,
 * the blog's `iris-connector-flink` JSON posted unchanged (hostname/port pointed at the database), and the online
 * k-means sink in place of the Flink job. Prints the predictions as the Flink job did, before and after the
 * model learned from `iris_train2`.
 */
import type pg from 'pg';
import { IRIS_BLOG_TEST, type IrisRow, irisBlogSplit } from '../../ml-sinks/datasets.js';
import { type DemoContext, postConnector, readTopic } from './support.js';

const CREATE_TABLE = (name: string) =>
  `CREATE TABLE IF NOT EXISTS ${name}(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int);`;

async function insertRows(db: pg.Client, table: string, rows: readonly IrisRow[]): Promise<void> {
  // One INSERT per row, as iris2sql.py writes them.
  for (const r of rows) {
    await db.query(
      `INSERT INTO ${table}(sepal_length, sepal_width, petal_length, petal_width, iris_class) VALUES(${r.sepal_length}, ${r.sepal_width}, ${r.petal_length}, ${r.petal_width}, ${r.iris_class});`,
    );
  }
}

/** The blog's connector JSON, verbatim but for the database address. */
export function irisFlinkConnector(host: string, port: number): { name: string; config: Record<string, string> } {
  return {
    name: 'iris-connector-flink',
    config: {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'tasks.max': '1',
      'database.hostname': host,
      'database.port': String(port),
      'database.user': 'postgres',
      'database.password': 'postgres',
      'database.dbname': 'postgres',
      'topic.prefix': 'flink',
      'table.include.list': 'public.iris_.*',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'true',
      'value.converter.schemas.enable': 'true',
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    },
  };
}

/** The k-means sink doing what the blog's FlinkKafkaKmeans job did. */
export function irisKMeansConnector(): { name: string; config: Record<string, string> } {
  return {
    name: 'iris-kmeans-flink',
    config: {
      'connector.class': 'io.tsconnect.ml.KMeansSinkConnector',
      'tasks.max': '1',
      topics: 'flink.public.iris_train,flink.public.iris_test',
      'train.topics': 'flink.public.iris_train',
      'predict.topics': 'flink.public.iris_test',
      algorithm: 'flink',
      'initial.centroids': '6.0,3.0,1.0,0.0;6.0,3.0,2.0,1.0;6.0,3.0,3.0,2.0',
      features: 'sepal_length,sepal_width,petal_length,petal_width',
      'predictions.topic': 'iris_predictions',
      'output.format': 'flink',
      // The Flink job wrote plain strings (SimpleStringSchema): predictions go out through the StringConverter.
      'output.key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'output.value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'true',
      'value.converter.schemas.enable': 'true',
    },
  };
}

function countCorrect(lines: string[]): number {
  return lines.filter((line, i) => line.endsWith(` is classified as ${IRIS_BLOG_TEST[i % IRIS_BLOG_TEST.length]!.iris_class}`)).length;
}

export async function runIrisDemo(ctx: DemoContext): Promise<{ correct: number[] }> {
  const { db, say } = ctx;
  const split = irisBlogSplit();
  say('Creating iris_train and iris_test and loading iris_train1 (1 row), as the blog\'s postgres image does');
  await db.query(CREATE_TABLE('iris_train'));
  await db.query(CREATE_TABLE('iris_test'));
  await insertRows(db, 'iris_train', split.train1);

  say('POST /connectors iris-connector-flink (the blog\'s JSON)');
  await postConnector(ctx.url, irisFlinkConnector(ctx.pg.host, ctx.pg.port));
  say('POST /connectors iris-kmeans-flink (online k-means, Flink ML OnlineKMeans rule)');
  await postConnector(ctx.url, irisKMeansConnector());

  const correct: number[] = [];
  let seen = 0;
  const round = async (title: string) => {
    await insertRows(db, 'iris_test', split.test);
    const lines = await readTopic(ctx, 'iris_predictions', seen + split.test.length);
    const batch = lines.slice(seen);
    seen = lines.length;
    say(title);
    for (const l of batch) ctx.print(`  ${l}`);
    correct.push(countCorrect(batch));
    say(`${correct.at(-1)} of ${batch.length} test points in the cluster of their class`);
  };

  await round('Predictions with the initial centroids (iris_test loaded):');
  say('Loading iris_train2 (138 rows): the model learns in mini-batches of 32');
  await insertRows(db, 'iris_train', split.train2);
  await round('Predictions after iris_train2 (iris_test loaded again):');
  say('Loading iris_train2 once more');
  await insertRows(db, 'iris_train', split.train2);
  await round('Predictions after the second iris_train2:');
  return { correct };
}
