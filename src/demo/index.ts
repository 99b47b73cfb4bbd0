/** `tsconnect demo iris|mnist`: the blog demos, self-contained (throwaway PostgreSQL, embedded log, no Kafka). */
import { runIrisDemo } from './iris.js';
import { type DemoOptions, withDemoEnvironment } from './support.js';

export async function runDemo(name: string, options: DemoOptions): Promise<void> {
  if (name === 'iris') {
    const { correct } = await withDemoEnvironment(options, runIrisDemo);
    process.stdout.write(`Correct answers per round of the 11 test points: ${correct.join(', ')}\n`);
    return;
  }
  throw new Error(`Unknown demo ${name}: expected iris or mnist`);
}
