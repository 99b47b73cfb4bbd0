/**
 * What the console tests share: a fresh UI build, a throwaway PostgreSQL and a standalone worker on the
 * embedded log, and headless Chromium (Debian's /usr/bin/chromium driven by playwright-core, no download).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { type StandaloneWorker, startStandalone } from '../../../src/connect/connect-standalone.js';
import { configureLogging } from '../../../src/connect/logging.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** Builds dist/ui from ui/src (esbuild, well under a second), so the test sees the current sources. */
export function buildUi(): void {
  const r = spawnSync(process.execPath, ['ui/build.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build:ui failed');
}

export async function startWorker(dir: string, extra: Record<string, string> = {}): Promise<StandaloneWorker> {
  return startStandalone(
    {
      listeners: 'http://127.0.0.1:0',
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': '1000',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'embedded.log.dir': join(dir, 'log'),
      ...extra,
    },
    [],
    configureLogging({ level: process.env['TSCONNECT_LOG_LEVEL'] ?? 'WARN' }),
  );
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Script dialogs (alert/confirm) the page opened: an injected script would show here. */
  dialogs: string[];
  /** Uncaught page errors. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'tsconnect-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    context,
    page,
    dialogs,
    pageErrors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });
}

export async function restJson<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
