/**
 * Model checkpoints: a file written atomically (temporary file, fsync, rename, fsync of the directory), so
 * a crash leaves either the previous checkpoint or the new one, never half of one.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  // Make the rename itself durable.
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  }
}

/** The file's bytes, or null when it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Where a task keeps its checkpoint: `file` when given, else `<dir>/<connector>-<task>.<suffix>`, else null
 * (no checkpoint: the model lives in memory only).
 */
export function checkpointPath(file: string, dir: string, connector: string, task: number, suffix: string): string | null {
  if (file) return file;
  if (dir) return join(dir, `${connector.replace(/[^A-Za-z0-9._-]/g, '_')}-${task}.${suffix}`);
  return null;
}
