/**
 * The `file` signal channel: every `signal.poll.interval.ms` the signal file is read, emptied, and each
 * non-blank line (`{"id":..,"type":..,"data":{..}}`) becomes a signal, as Debezium's FileSignalChannel does.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { type SignalRecord, signalFromFileLine } from './signal.js';

export async function readSignalFile(path: string, log: Logger): Promise<SignalRecord[]> {
  const st = await stat(path).catch(() => null);
  if (!st || !st.isFile()) return [];
  const text = await readFile(path, 'utf8');
  const lines = text.split(/\r?\n/);
  if (text.length) await writeFile(path, '');
  const out: SignalRecord[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const s = signalFromFileLine(line);
      log.info({ id: s.id, type: s.type, data: s.data }, 'Processing signal from file');
      out.push(s);
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'Skipped signal due to a parse error');
    }
  }
  return out;
}

/** Polls the signal file every `intervalMs` and hands each signal to `deliver`. */
export class FileSignalPoller {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly path: string, private readonly intervalMs: number, private readonly deliver: (s: SignalRecord) => void, private readonly log: Logger) {}

  start(): void {
    this.log.info(`File signal channel is active, reading signals from '${this.path}'`);
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const s of await readSignalFile(this.path, this.log)) this.deliver(s);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, `Failed to read signal file ${this.path}`);
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
