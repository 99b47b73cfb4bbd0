/**
 * How a worker process lets its JavaScript heap grow. V8 lets the old generation grow to up to 4x what
 * survived the last full collection before collecting again; a worker streaming changes into the embedded log
 * keeps little alive (tens of MB) but allocates fast, so with V8's default it carries up to ~100 MB of dead
 * objects and its resident size nearly doubles. A growing factor of 1.5 keeps it near its live data at the price
 * of more full collections: measured on bench/postgres-streaming in paired runs, peak RSS 148-214 MB -> 134-142 MB
 * for 5-12% of the throughput (102/91/91k -> 95/80/81k rows/s). Memory is what a one-machine deployment runs out
 * of first; `TSCONNECT_HEAP_GROWING_PERCENT=0` takes the speed instead.
 *
 * Not on Kafka: kafkajs keeps each request's objects alive across the broker round trip, so at full speed a
 * worker promotes ~200 MB/s to the old generation, and a fixed factor then costs ~40% of the throughput
 * (bench/kafka-cdc: 55k -> 33k rows/s). There V8's own heuristics stay.
 *
 * Applied by the `tsconnect` command for the processes it runs (worker, demo), not by the embedded engine:
 * a library does not change the heap policy of the application it runs in.
 */
import v8 from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growing factor to 1 + percent/100: `TSCONNECT_HEAP_GROWING_PERCENT`, else the default for the
 * worker's topic backend (on the embedded log 50; with `bootstrap.servers` 0, i.e. V8's own heuristics). A
 * `--heap-growing-percent` the process was started with is left alone. Returns the percent in force (0 = V8's).
 */
export function applyWorkerHeapPolicy(
  workerProps: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): number {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return 0;
  const raw = env.TSCONNECT_HEAP_GROWING_PERCENT;
  const onKafka = Boolean(workerProps['bootstrap.servers']);
  const percent = raw === undefined || raw === '' ? (onKafka ? 0 : DEFAULT_HEAP_GROWING_PERCENT) : Number(raw);
  if (!Number.isInteger(percent) || percent < 0) throw new Error(`TSCONNECT_HEAP_GROWING_PERCENT must be a whole number >= 0, got '${raw}'`);
  // Read by V8 each time it sets the next collection's limit, so setting it at run time takes effect (0 = V8's).
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
