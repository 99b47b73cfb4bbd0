/**
 * How a worker process lets its JavaScript heap grow. V8 lets the old generation grow to up to 4x what
 * survived the last full collection before collecting again; a worker streaming changes keeps little alive
 * (tens of MB) but allocates fast, so with V8's default it carries up to ~100 MB of dead objects and its
 * resident size nearly doubles. A growing factor of 1.5 keeps it near its live data for a few more (cheap, as
 * little is live) full collections: measured on bench/postgres-streaming, peak RSS ~200 MB -> ~135 MB with no
 * throughput change outside the run-to-run noise.
 *
 * Applied by the `tsconnect` command for the processes it runs (worker, demo), not by the embedded engine:
 * a library does not change the heap policy of the application it runs in.
 */
import v8 from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growing factor to 1 + percent/100: `TSCONNECT_HEAP_GROWING_PERCENT`, else the default;
 * 0 keeps V8's own heuristics, and so does a `--heap-growing-percent` the process was started with.
 */
export function applyWorkerHeapPolicy(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): number {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return 0;
  const raw = env.TSCONNECT_HEAP_GROWING_PERCENT;
  const percent = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWING_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0) throw new Error(`TSCONNECT_HEAP_GROWING_PERCENT must be a whole number >= 0, got '${raw}'`);
  // Read by V8 each time it sets the next collection's limit, so setting it at run time takes effect.
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
