/**
 * The web console end to end in headless Chromium: a worker running the iris flow (the blog's Postgres
 * connector and the online k-means sink) and the MNIST flow (small training limit), the page at /ui.
 * Screenshots go to test-artifacts/.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StandaloneWorker } from '../../../src/connect/connect-standalone.js';
import { irisConnector, irisInsert, irisKMeansConnector } from '../../../src/demo/iris.js';
import { MNIST_CREATE, mnistClassifierConnector, mnistConnector, mnistInsert } from '../../../src/demo/mnist.js';
import { type PostgresCluster, startPostgres } from '../../../src/testing/postgres-cluster.js';
import { irisBlogSplit, loadMnistArrays } from '../../../ml-sinks/datasets.js';
import { type Browser, buildUi, eventually, openBrowser, restJson, screenshot, startWorker } from './harness.js';

const IRIS_SOURCE = 'iris-connector-flink';
const IRIS_SINK = 'iris-kmeans-flink';
const MNIST_SINK = 'mnist-classifier';
const EVIL = '<img src=x onerror=alert(1)>';
const MNIST_TRAIN = 256;
const MNIST_TEST = 12;

const CREATE_IRIS = (t: string) =>
  `CREATE TABLE ${t}(id SERIAL NOT NULL PRIMARY KEY, sepal_length float, sepal_width float, petal_length float, petal_width float, iris_class int)`;

describe('web console', () => {
  let dir: string;
  let cluster: PostgresCluster;
  let db: pg.Client;
  let worker: StandaloneWorker;
  let browser: Browser;
  const split = irisBlogSplit();

  before(async () => {
    buildUi();
    dir = await mkdtemp(join(tmpdir(), 'tsconnect-e2e-console-'));
    cluster = await startPostgres();
    db = new pg.Client({ connectionString: cluster.connectionString });
    await db.connect();
    worker = await startWorker(join(dir, 'worker'));

    // The iris flow: tables with the first training rows, both topics, the blog's connector and the k-means sink.
    await db.query(CREATE_IRIS('iris_train'));
    await db.query(CREATE_IRIS('iris_test'));
    for (const r of split.train2.slice(0, 20)) await db.query(irisInsert('iris_train', r));
    await worker.backend.createTopics(['flink.public.iris_train', 'flink.public.iris_test'].map((name) => ({ name, partitions: 1 })));
    const source = irisConnector('flink', cluster);
    assert.equal((await restJson(`${worker.url}/connectors`, 'POST', source)).status, 201);
    assert.equal((await restJson(`${worker.url}/connectors`, 'POST', irisKMeansConnector('flink'))).status, 201);

    // The MNIST flow with its own slot and publication, a small training set and one quick epoch.
    const mnist = loadMnistArrays('train', MNIST_TRAIN);
    await db.query(MNIST_CREATE('mnist_train'));
    await db.query(MNIST_CREATE('mnist_test'));
    for (let i = 0; i < MNIST_TRAIN; i++) await db.query(mnistInsert('mnist_train', mnist.labels[i]!, mnist.images.subarray(i * 784, (i + 1) * 784)));
    await worker.backend.createTopics(['tf.public.mnist_train', 'tf.public.mnist_test'].map((name) => ({ name, partitions: 1 })));
    const mc = mnistConnector(cluster);
    mc.config['slot.name'] = 'debezium_mnist';
    mc.config['publication.name'] = 'dbz_publication_mnist';
    assert.equal((await restJson(`${worker.url}/connectors`, 'POST', mc)).status, 201);
    assert.equal((await restJson(`${worker.url}/connectors`, 'POST', mnistClassifierConnector(1, 500))).status, 201);

    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await worker?.stop();
    await db?.end().catch(() => undefined);
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('connectors are listed RUNNING; pausing from the page makes the REST API say PAUSED', async () => {
    const { page } = browser;
    await page.goto(`${worker.url}/ui#/connectors`);
    const card = page.locator(`article[data-connector="${IRIS_SOURCE}"]`);
    await card.locator('.card-head [data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    await card.locator('[data-task="0"] [data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    assert.match(await card.locator('.facts').innerText(), /source[\s\S]*PostgresConnector[\s\S]*127\.0\.0\.1:\d+/);

    // The config with the password masked.
    await card.getByTestId('connector-name').click();
    const config = card.getByTestId('config');
    await config.waitFor();
    const passwordRow = config.locator('tr', { has: page.locator('th', { hasText: /^database\.password$/ }) });
    assert.equal(await passwordRow.locator('td').innerText(), '[hidden]');
    assert.equal(await config.locator('tr', { has: page.locator('th', { hasText: /^database\.hostname$/ }) }).locator('td').innerText(), '127.0.0.1');
    await screenshot(page, 'connectors');

    await card.locator('[data-action="pause"]').click();
    const dialog = page.getByTestId('confirm');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), new RegExp(`Pause ${IRIS_SOURCE}\\?`));
    await page.getByTestId('confirm-ok').click();
    const state = await eventually('PAUSED over REST', async () => {
      const s = await restJson<{ connector: { state: string } }>(`${worker.url}/connectors/${IRIS_SOURCE}/status`);
      return s.body.connector.state === 'PAUSED' ? s.body.connector.state : undefined;
    });
    assert.equal(state, 'PAUSED');
    await card.locator('.card-head [data-state="PAUSED"]').waitFor({ timeout: 10_000 });

    // And back, from the page.
    await card.locator('[data-action="resume"]').click();
    await page.getByTestId('confirm-ok').click();
    await card.locator('.card-head [data-state="RUNNING"]').waitFor({ timeout: 10_000 });
    assert.equal((await restJson<{ connector: { state: string } }>(`${worker.url}/connectors/${IRIS_SOURCE}/status`)).body.connector.state, 'RUNNING');
  });

  test('the k-means accuracy chart gets a new point when training data arrives; the scatter shows points and centroids', async () => {
    const { page } = browser;
    // Wait for the first 20 rows to be learned, then look at the page.
    await eventually('the first rows learned', async () => {
      const s = await restJson<{ samplesSeen: number }>(`${worker.url}/ml/${IRIS_SINK}`);
      return s.status === 200 && s.body.samplesSeen >= 20 ? true : undefined;
    }, 60_000);
    await page.goto(`${worker.url}/ui#/models`);
    const card = page.locator(`article[data-model="${IRIS_SINK}"]`);
    const chart = card.getByTestId('accuracy-chart');
    await chart.waitFor();
    await eventually('the chart to show the first rows', async () => (Number(await card.getByTestId('samples-seen').innerText()) >= 20 ? true : undefined));
    const before = Number(await chart.getAttribute('data-points'));
    assert.ok(before >= 1, `points before: ${before}`);

    for (const r of split.train2.slice(20, 60)) await db.query(irisInsert('iris_train', r));
    for (const r of split.test) await db.query(irisInsert('iris_test', r));
    await eventually('a new point on the accuracy chart', async () => (Number(await chart.getAttribute('data-points')) > before ? true : undefined), 60_000);
    await eventually('60 samples shown', async () => (Number(await card.getByTestId('samples-seen').innerText()) >= 60 ? true : undefined), 60_000);
    await eventually('the prediction accuracy shown', async () => (/%$/.test(await card.getByTestId('accuracy').innerText()) ? true : undefined), 60_000);
    assert.match(await card.getByTestId('prequential').innerText(), /^\d+(\.\d)?%$/);
    assert.ok((await chart.locator('canvas').count()) >= 1, 'uPlot drew a canvas');

    const scatter = card.getByTestId('kmeans-scatter');
    await eventually('points in the scatter', async () => (Number(await scatter.getAttribute('data-points')) >= 40 ? true : undefined));
    assert.equal(await scatter.getAttribute('data-centroids'), '3');
    await screenshot(page, 'models-kmeans');
  });

  test('the MNIST classifier shows the latest digits as images with label, prediction and probability', async () => {
    const { page } = browser;
    await eventually('the classifier trained', async () => {
      const s = await restJson<{ modelVersion: number }>(`${worker.url}/ml/${MNIST_SINK}`);
      return s.status === 200 && s.body.modelVersion >= 1 ? true : undefined;
    }, 90_000);
    const test = loadMnistArrays('test', MNIST_TEST);
    for (let i = 0; i < MNIST_TEST; i++) await db.query(mnistInsert('mnist_test', test.labels[i]!, test.images.subarray(i * 784, (i + 1) * 784)));

    await page.goto(`${worker.url}/ui#/models`);
    const card = page.locator(`article[data-model="${MNIST_SINK}"]`);
    const digits = card.getByTestId('digit');
    await eventually('12 digits predicted by the sink', async () => {
      if ((await digits.count()) !== MNIST_TEST) return undefined;
      const fromTopic = await card.locator('[data-testid="digit"]:not(:has-text("live"))').count();
      const predicted = (await card.getByTestId('digit-prediction').allInnerTexts()).filter((t) => /^\d$/.test(t)).length;
      return predicted === MNIST_TEST && fromTopic === MNIST_TEST ? true : undefined;
    }, 60_000);
    // Newest first: the last test image (offset 11) leads; its label is the data set's.
    const labels = (await card.getByTestId('digit-label').allInnerTexts()).map(Number);
    assert.deepEqual(labels, Array.from(test.labels).reverse());
    const caption = await digits.first().locator('figcaption').innerText();
    assert.match(caption, /^\d\s+p=0\.\d{3}|^\d\s+p=1\.000/);
    // The image has ink: some pixels of the 28×28 canvas are bright.
    const ink = await page.evaluate(`(() => {
      const c = document.querySelector('[data-model="${MNIST_SINK}"] canvas.digit');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let bright = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 128) bright++;
      return [c.width, c.height, bright];
    })()`);
    const [w, h, bright] = ink as [number, number, number];
    assert.equal(w, 28);
    assert.equal(h, 28);
    assert.ok(bright > 30, `bright pixels: ${bright}`);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'models-mnist');
  });

  test('topics: partition offsets, latest records pretty-printed with the schema folded away, search by key', async () => {
    const { page } = browser;
    await page.goto(`${worker.url}/ui#/topics/flink.public.iris_train`);
    const row = page.locator('tr[data-topic="flink.public.iris_train"]');
    await row.waitFor();
    assert.match(await row.innerText(), /60\s+0: 0–60/);
    const records = page.getByTestId('records');
    await records.locator('article.record').first().waitFor();
    assert.equal(await records.locator('article.record').count(), 20);
    const value = await records.locator('article.record').first().locator('[data-field="value"] pre.value').innerText();
    assert.match(value, /"sepal_length": \d/);
    assert.doesNotMatch(value, /"schema"/);
    assert.ok((await records.locator('details.schema').count()) > 0, 'the schema is there, folded');

    await page.locator('input[aria-label="Search by key"]').fill('7');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually('one record with key id 7', async () => ((await records.locator('article.record').count()) === 1 ? true : undefined));
    assert.match(await records.locator('article.record pre').first().innerText(), /"id": 7\b/);
    await page.locator('select[aria-label="Key match"]').selectOption('contains');
    // 7, 17, 27, 37, 47, 57 among the 60 keys
    await eventually('six keys containing 7', async () => ((await records.locator('article.record').count()) === 6 ? true : undefined));
    await screenshot(page, 'topics');
  });

  test('bad input: an API error is a readable message; a connector named with HTML is text', async () => {
    const { page, dialogs } = browser;
    await page.goto(`${worker.url}/ui#/topics/no-such-topic`);
    const error = page.getByTestId('error');
    await error.waitFor();
    assert.match(await error.innerText(), /GET \/ui\/api\/topics\/no-such-topic\/records.*failed with 404: Topic no-such-topic not found/);
    assert.ok(await page.locator('nav').isVisible(), 'the page is still there');
    await screenshot(page, 'error');

    const file = join(dir, 'evil.txt');
    await writeFile(file, 'hello\n');
    const created = await restJson(`${worker.url}/connectors`, 'POST', {
      name: EVIL,
      config: { 'connector.class': 'FileStreamSource', file, topic: 'evil-topic', 'tasks.max': '1' },
    });
    assert.equal(created.status, 201);
    await page.goto(`${worker.url}/ui#/connectors`);
    const card = page.locator('article.connector', { has: page.getByTestId('connector-name').getByText(EVIL, { exact: true }) });
    await card.waitFor({ timeout: 15_000 });
    assert.equal(await card.getByTestId('connector-name').innerText(), EVIL);
    assert.equal(await page.locator('main img').count(), 0, 'no <img> element was created from the name');

    // Delete it from the page: the confirmation shows the name as text too.
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'html-name');
    await card.locator('[data-action="delete"]').click();
    await screenshot(page, 'confirm-delete');
    assert.match(await page.getByTestId('confirm').innerText(), /Delete <img src=x onerror=alert\(1\)>\?/);
    await page.getByTestId('confirm-ok').click();
    await eventually('the connector deleted', async () => ((await restJson(`${worker.url}/connectors/${encodeURIComponent(EVIL)}`)).status === 404 ? true : undefined));
    await screenshot(page, 'after-delete');
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.deepEqual(browser.pageErrors, []);
  });

  test('on a phone: one column, the navigation and dark theme work', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${worker.url}/ui#/connectors`);
      await page.locator('select[aria-label="Theme"]').selectOption('dark');
      assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
      await page.locator(`article[data-connector="${IRIS_SOURCE}"]`).waitFor();
      await screenshot(page, 'phone-connectors-dark');
      const widths = await page.evaluate(`[document.documentElement.scrollWidth, window.innerWidth,
        [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className).join(' ')]`);
      const [scroll, inner, wide] = widths as [number, number, string];
      assert.ok(scroll <= inner, `no horizontal scrolling: ${scroll} > ${inner} (${wide})`);
      await page.getByRole('link', { name: 'Models' }).click();
      await page.locator(`article[data-model="${IRIS_SINK}"] [data-testid="kmeans-scatter"]`).waitFor();
      await screenshot(page, 'phone-models-dark');
      await page.getByRole('link', { name: 'Sources' }).click();
      await page.locator(`article[data-source="${IRIS_SOURCE}"]`).waitFor();
      await screenshot(page, 'phone-sources-dark');
    } finally {
      await page.setViewportSize({ width: 1360, height: 900 });
      await page.locator('select[aria-label="Theme"]').selectOption('light');
    }
  });

  test('sources: records per second and the replication slot of each Postgres connector', async () => {
    const { page } = browser;
    await page.goto(`${worker.url}/ui#/sources`);
    const card = page.locator(`article[data-source="${IRIS_SOURCE}"]`);
    await card.waitFor();
    await eventually('slot info', async () => (/debezium · active · retains \d/.test(await card.locator('.facts').innerText()) ? true : undefined), 20_000);
    for (const r of split.train2.slice(60, 70)) await db.query(irisInsert('iris_train', r));
    await eventually('the rate chart', async () => ((await card.locator('.chart').count()) >= 2 ? true : undefined), 20_000);
    // Debezium's gauges from the worker metrics: the lag behind the database and the events rate.
    await eventually('the lag chart', async () => ((await card.locator('h4', { hasText: 'Lag behind the database' }).count()) === 1 ? true : undefined), 20_000);
    await eventually('the events chart', async () => ((await card.locator('h4', { hasText: 'Change events per second' }).count()) === 1 ? true : undefined), 20_000);
    const slot = await restJson<{ found: boolean; retainedWalBytes: number }>(`${worker.url}/ui/api/connectors/${IRIS_SOURCE}/slot`);
    assert.equal(slot.status, 200);
    assert.equal(slot.body.found, true);
    assert.ok(slot.body.retainedWalBytes >= 0);
    await screenshot(page, 'sources');
  });
});
