/** Small file-system helpers of the embedded log: atomic replace, directory fsync, the owner lock. */
import fs from 'node:fs/promises';
import path from 'node:path';

let tmpCounter = 0;

export async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Replaces a file so that a crash leaves either the old or the new content: temp + fsync + rename + dir fsync. */
export async function writeFileAtomic(file: string, data: string | Buffer, durable = true): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${++tmpCounter}`;
  const h = await fs.open(tmp, 'w');
  try {
    await h.writeFile(data);
    if (durable) await h.sync();
  } finally {
    await h.close();
  }
  await fs.rename(tmp, file);
  if (durable) await fsyncDir(path.dirname(file));
}

export async function readJsonIfExists<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Directories locked by this process (a lock file naming our own pid is stale unless listed here). */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/.lock` for this process. Returns false when another live process holds it. A lock left
 * by a dead process (kill -9) is taken over.
 */
export async function acquireLock(dir: string): Promise<boolean> {
  const file = path.join(dir, '.lock');
  const key = path.resolve(dir);
  if (heldHere.has(key)) return false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(key);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return false;
    await fs.rm(file, { force: true });
  }
  return false;
}

export async function releaseLock(dir: string): Promise<void> {
  const key = path.resolve(dir);
  if (!heldHere.delete(key)) return;
  await fs.rm(path.join(dir, '.lock'), { force: true });
}
