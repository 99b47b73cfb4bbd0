import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { pino } from 'pino';
import { EmbeddedTopicBackend, type EmbeddedTopicBackendOptions } from '../../../src/connect/topics/embedded/index.js';
import type { ConsumedRecord, TopicConsumer } from '../../../src/connect/topics/types.js';

/** A fresh directory, removed after the test file. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsconnect-log-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function openBackend(dir: string, opts: Partial<EmbeddedTopicBackendOptions> = {}): Promise<EmbeddedTopicBackend> {
  const logger = pino({ level: process.env.TSCONNECT_LOG_LEVEL ?? 'silent' });
  const b = new EmbeddedTopicBackend({ dir, logger, ...opts });
  await b.start();
  return b;
}

/** Polls until `count` records arrived (or fails after `timeoutMs`). */
export async function pollCount(consumer: TopicConsumer, count: number, timeoutMs = 10_000): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${out.length} of ${count} records`);
    out.push(...(await consumer.poll(200)));
  }
  return out;
}

export const buf = (s: string) => Buffer.from(s, 'utf8');
