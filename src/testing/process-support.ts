/**
 * What the throwaway servers (PostgreSQL, Kafka, the schema registry) share: where downloads are cached, a
 * check that Java and Maven are installed, free ports, process liveness and stopping a child process.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `${XDG_CACHE_HOME:-~/.cache}/tsconnect`: broker jars, the registry build. */
export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME !== '' ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'tsconnect');
}

/**
 * Throws when `java` or `mvn` cannot run, saying what needs them (`to <purpose>`) and the Debian packages that
 * provide them.
 */
export function requireJavaAndMaven(purpose: string, debianPackages: string): void {
  for (const [cmd, args, what] of [['java', ['-version'], 'Java (17 or newer)'], ['mvn', ['-v'], 'Maven']] as const) {
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    if (r.error || r.status !== 0) {
      throw new Error(`${what} is needed to ${purpose} but \`${cmd}\` was not found or failed. Install it (Debian: apt-get install -y ${debianPackages}) and try again.`);
    }
  }
}

/** A port the OS says is free right now on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a process with this id exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a child process and resolves once it has exited: SIGTERM, then SIGKILL after `graceMs` (0: SIGKILL at
 * once). A child that has already exited (by a code or a signal) resolves at once.
 */
export async function stopChild(proc: ChildProcess, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const timer = graceMs > 0 ? setTimeout(() => proc.kill('SIGKILL'), graceMs) : null;
  proc.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  await gone;
  if (timer) clearTimeout(timer);
}
