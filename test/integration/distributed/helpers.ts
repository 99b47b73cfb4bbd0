/**
 * A distributed worker as a child process (`tsconnect distributed worker.properties`), so tests can kill -9
 * it; plus HTTP helpers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;

export class DistributedWorkerProcess {
  private child: ChildProcess | null = null;
  private output = '';
  readonly url: string;
  readonly workerId: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly props: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.workerId = `127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const file = join(this.dir, `worker-${this.port}.properties`);
    const props = { listeners: `http://127.0.0.1:${this.port}`, ...this.props };
    await writeFile(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    this.output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'distributed', file], {
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
