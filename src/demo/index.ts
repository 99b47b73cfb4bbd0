/**
 * `tsconnect demo iris|mnist`: the blog demos, self-contained (a throwaway PostgreSQL unless `--db`, the
 * embedded log unless `--bootstrap-servers`).
 */
import { type IrisMode, runIrisDemo } from './iris.js';
import { type MnistDemoOptions, runMnistDemo } from './mnist.js';
import { type DemoOptions, withDemoEnvironment } from './support.js';

export interface DemoCommandOptions extends DemoOptions, Partial<MnistDemoOptions> {
  mode?: string;
}

export async function runDemo(name: string, options: DemoCommandOptions): Promise<void> {
  if (name === 'iris') {
    const mode = (options.mode ?? 'flink') as IrisMode;
    if (mode !== 'flink' && mode !== 'spark') throw new Error(`--mode ${options.mode}: expected flink or spark`);
    const { correct } = await withDemoEnvironment(options, (ctx) => runIrisDemo(ctx, mode));
    (options.out ?? ((l: string) => process.stdout.write(l + '\n')))(`Correct answers per round of the 11 test points: ${correct.join(', ')}`);
    return;
  }
  if (name === 'mnist') {
    await withDemoEnvironment(options, (ctx) =>
      runMnistDemo(ctx, { epochs: options.epochs ?? 5, trainLimit: options.trainLimit ?? 60_000, testLimit: options.testLimit ?? 10_000, show: options.show ?? 4 }),
    );
    return;
  }
  throw new Error(`Unknown demo ${name}: expected iris or mnist`);
}
