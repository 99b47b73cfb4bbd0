/**
 * Runs a real worker as a child process (`tsconnect standalone|distributed worker.properties`), from the
 * TypeScript sources, and talks to it over HTTP. Tests use it to kill -9 and restart workers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

export { freePort } from '../../src/testing/process-support.js';

export class WorkerProcess {
  private child: ChildProcess | null = null;
  private output = '';
  readonly url: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly props: Record<string, string>,
    readonly mode: 'standalone' | 'distributed' = 'standalone',
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the worker; `connectorFiles` are passed like connect-standalone.sh's extra arguments. */
  async start(connectorFiles: string[] = []): Promise<void> {
    const file = join(this.dir, `worker-${this.port}.properties`);
    const props = { listeners: `http://127.0.0.1:${this.port}`, ...this.props };
    await writeFile(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    this.output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), this.mode, file, ...connectorFiles], {
      cwd: ROOT,
      env: { ...process.env, TSCONNECT_LOG_LEVEL: process.env['TSCONNECT_LOG_LEVEL'] ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.status === 200) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`worker did not start within 60 s:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  get logs(): string {
    return this.output;
  }

  kill9(): Promise<void> {
    return this.stopWith('SIGKILL');
  }

  stop(): Promise<void> {
    return this.stopWith('SIGTERM');
  }

  private async stopWith(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
