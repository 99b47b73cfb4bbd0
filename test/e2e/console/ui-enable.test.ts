/** `ui.enable`: the console is served by default and absent with `ui.enable=false`. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUi, startWorker } from './harness.js';

describe('ui.enable', () => {
  test('default: /ui serves the page and its assets with a strict CSP; false: 404', async () => {
    buildUi();
    const dir = await mkdtemp(join(tmpdir(), 'tsconnect-ui-enable-'));
    try {
      const on = await startWorker(join(dir, 'a'));
      try {
        const page = await fetch(`${on.url}/ui`);
        assert.equal(page.status, 200);
        assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
        assert.match(await page.text(), /<script type="module" src="\/ui\/assets\/app\.js">/);
        const js = await fetch(`${on.url}/ui/assets/app.js`);
        assert.equal(js.status, 200);
        assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
        assert.equal((await fetch(`${on.url}/ui/assets/..%2Fpackage.json`)).status, 404);
        const topics = (await (await fetch(`${on.url}/ui/api/topics`)).json()) as { backend: string };
        assert.equal(topics.backend, 'embedded');
        const bad = await fetch(`${on.url}/ui/api/topics/x/records?limit=abc`);
        assert.equal(bad.status, 404); // no such topic comes first
      } finally {
        await on.stop();
      }
      const off = await startWorker(join(dir, 'b'), { 'ui.enable': 'false' });
      try {
        const res = await fetch(`${off.url}/ui`);
        assert.equal(res.status, 404);
        assert.deepEqual(await res.json(), { error_code: 404, message: 'HTTP 404 Not Found' });
        assert.equal((await fetch(`${off.url}/ui/api/topics`)).status, 404);
      } finally {
        await off.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
