/**
 * `database.sslmode` and the certificate settings against a real PostgreSQL serving TLS (the throwaway cluster
 * started with `tls`): roles that must use TLS (hostssl), a role that logs in with a client certificate
 * (hostssl ... cert), a role that must not use TLS (hostnossl). The connector snapshots and streams over TLS,
 * and the server itself says which of its connections are encrypted (pg_stat_ssl).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { parsePostgresConfig } from '../../../src/connectors/postgres/config.js';
import { newClient, pgConnectionOptions } from '../../../src/connectors/postgres/replication-connection.js';
import { startPostgres, type PostgresCluster } from '../../../src/testing/postgres-cluster.js';
import { WorkerProcess, freePort, waitFor } from '../../helpers/worker-process.js';
import { MemoryOffsets, blogConfig, payload, pollN, sql, startTask } from './harness.js';

const PW = 'tls-secret';

describe('PostgreSQL over TLS: database.sslmode, sslrootcert, sslcert/sslkey', { timeout: 180_000 }, () => {
  let pgc: PostgresCluster;
  let ca: string;
  let otherCa: string;

  const cfg = (user: string, extra: Record<string, string>) =>
    blogConfig(pgc, {
      name: `tls-${extra['slot.name'] ?? 'x'}`,
      'database.user': user,
      'database.password': PW,
      'table.include.list': 'public.iris_tls',
      'slot.drop.on.stop': 'true',
      'errors.max.retries': '0',
      ...extra,
    });

  /** Opens one connection the way the connector does (metadata connection), or fails like it. */
  async function connect(config: Record<string, string>): Promise<pg.Client> {
    const client = newClient(pgConnectionOptions(parsePostgresConfig(config).connection));
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  async function sslOf(client: pg.Client): Promise<boolean> {
    const r = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return (r.rows[0] as { ssl: string }).ssl === 't' || (r.rows[0] as { ssl: unknown }).ssl === true;
  }

  /** With `extra`, tls_user (hostssl only) connects encrypted and plain_user (hostnossl only) in the clear. */
  async function assertEncryptedOnlyWhereRequired(extra: Record<string, string>): Promise<void> {
    const tlsClient = await connect(cfg('tls_user', extra));
    const plainClient = await connect(cfg('plain_user', extra));
    try {
      assert.equal(await sslOf(tlsClient), true);
      assert.equal(await sslOf(plainClient), false);
    } finally {
      await tlsClient.end();
      await plainClient.end();
    }
  }

  before(async () => {
    pgc = await startPostgres({ tls: { sslOnlyUsers: ['tls_user'], certUsers: ['cert_user'], plainOnlyUsers: ['plain_user'] } });
    ca = pgc.tls!.caCert;
    otherCa = pgc.tls!.otherCaCert;
    await sql(pgc, `
      CREATE ROLE tls_user LOGIN REPLICATION SUPERUSER PASSWORD '${PW}';
      CREATE ROLE cert_user LOGIN REPLICATION SUPERUSER;
      CREATE ROLE plain_user LOGIN REPLICATION SUPERUSER PASSWORD '${PW}';
      CREATE TABLE iris_tls(id int PRIMARY KEY, sepal_length double precision, species text);
      INSERT INTO iris_tls VALUES (1, 5.1, 'setosa'), (2, 7.0, 'versicolor'), (3, 6.3, 'virginica');`);
  });
  after(async () => {
    await pgc?.stop();
  });

  test('verify-full with the right CA: snapshot and stream over TLS, the walsender encrypted', async () => {
    const offsets = new MemoryOffsets();
    const task = await startTask(cfg('tls_user', { 'slot.name': 'tls_full', 'database.sslmode': 'verify-full', 'database.sslrootcert': ca }), offsets);
    try {
      const snap = await pollN(task, 3);
      assert.deepEqual(snap.map((r) => (payload(r).after as { id: number }).id).sort(), [1, 2, 3]);
      await sql(pgc, "INSERT INTO iris_tls VALUES (4, 4.9, 'setosa')");
      const streamed = await pollN(task, 1);
      assert.equal((payload(streamed[0]!).after as { id: number }).id, 4);
      const r = await sql(pgc, `SELECT a.backend_type, s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'tls_user'`);
      const rows = r.rows as { backend_type: string; ssl: boolean }[];
      assert.ok(rows.some((x) => x.backend_type === 'walsender'), `a walsender of tls_user: ${JSON.stringify(rows)}`);
      assert.ok(rows.every((x) => x.ssl === true), `every connection of tls_user uses TLS: ${JSON.stringify(rows)}`);
    } finally {
      await task.stop();
    }
  });

  test('require encrypts without checking the certificate (an unrelated CA is not consulted)', async () => {
    const client = await connect(cfg('tls_user', { 'database.sslmode': 'require', 'database.sslrootcert': otherCa }));
    try {
      assert.equal(await sslOf(client), true);
    } finally {
      await client.end();
    }
  });

  test('verify-full with the wrong CA fails at once with an error naming the CA setting', async () => {
    const started = Date.now();
    await assert.rejects(
      startTask(cfg('tls_user', { 'slot.name': 'tls_wrong', 'database.sslmode': 'verify-full', 'database.sslrootcert': otherCa }), new MemoryOffsets()),
      (e: Error) => {
        assert.match(e.message, /could not be verified against database\.sslrootcert=.*other-ca\.crt/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 10_000, 'no hang');
  });

  test('verify-ca and verify-full without any CA file: a configuration error saying what to set', async () => {
    await assert.rejects(connect(cfg('tls_user', { 'database.sslmode': 'verify-ca' })), /set database\.sslrootcert/);
  });

  test('disable against a hostssl-only user: rejected, and the message says TLS is required', async () => {
    await assert.rejects(
      startTask(cfg('tls_user', { 'slot.name': 'tls_disable', 'database.sslmode': 'disable' }), new MemoryOffsets()),
      (e: Error) => {
        assert.match(e.message, /no encryption/);
        assert.match(e.message, /requires TLS for this user; database\.sslmode=disable/);
        return true;
      },
    );
  });

  test('prefer (the default): TLS when allowed, plain when the server rejects TLS for the user', async () => {
    await assertEncryptedOnlyWhereRequired({});
  });

  test('allow: plain first, TLS when the server insists on it', async () => {
    await assertEncryptedOnlyWhereRequired({ 'database.sslmode': 'allow' });
  });

  test('client certificate authentication (PEM cert/key): snapshot and stream as cert_user', async () => {
    const { cert, key } = pgc.tls!.clientCerts['cert_user']!;
    const offsets = new MemoryOffsets();
    const task = await startTask(
      cfg('cert_user', { 'slot.name': 'tls_cert', 'database.password': '', 'database.sslmode': 'verify-full', 'database.sslrootcert': ca, 'database.sslcert': cert, 'database.sslkey': key }),
      offsets,
    );
    try {
      await pollN(task, 4);
      await sql(pgc, "INSERT INTO iris_tls VALUES (5, 5.0, 'setosa')");
      await pollN(task, 1);
      const r = await sql(pgc, `SELECT a.backend_type, s.ssl, s.client_dn FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'cert_user'`);
      const rows = r.rows as { backend_type: string; ssl: boolean; client_dn: string }[];
      assert.ok(rows.some((x) => x.backend_type === 'walsender' && x.ssl && x.client_dn === '/CN=cert_user'), JSON.stringify(rows));
    } finally {
      await task.stop();
    }
  });

  test('client key as encrypted DER PKCS#8 (.pk8, as pgjdbc wants it) with database.sslpassword; a wrong password is named', async () => {
    const { cert, key } = pgc.tls!.clientCerts['cert_user']!;
    const pk8 = join(pgc.tls!.dir, 'cert_user.pk8');
    execFileSync('openssl', ['pkcs8', '-topk8', '-in', key, '-outform', 'DER', '-v2', 'aes-256-cbc', '-out', pk8, '-passout', 'pass:key-secret']);
    const base = { 'database.password': '', 'database.sslmode': 'verify-ca', 'database.sslrootcert': ca, 'database.sslcert': cert, 'database.sslkey': pk8 };
    const client = await connect(cfg('cert_user', { ...base, 'database.sslpassword': 'key-secret' }));
    try {
      assert.equal(await sslOf(client), true);
    } finally {
      await client.end();
    }
    await assert.rejects(connect(cfg('cert_user', { ...base, 'database.sslpassword': 'wrong' })), /Could not read the client key database\.sslkey=.*cert_user\.pk8/);
  });

  test('client key as PKCS#12 (.p12) holding key and certificate', async () => {
    const { cert, key } = pgc.tls!.clientCerts['cert_user']!;
    const p12 = join(pgc.tls!.dir, 'cert_user.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-in', cert, '-inkey', key, '-out', p12, '-passout', 'pass:p12-secret']);
    const client = await connect(cfg('cert_user', { 'database.password': '', 'database.sslmode': 'verify-full', 'database.sslrootcert': ca, 'database.sslkey': p12, 'database.sslpassword': 'p12-secret' }));
    try {
      assert.equal(await sslOf(client), true);
    } finally {
      await client.end();
    }
  });

  test('a worker shows the wrong-CA failure in the task status (FAILED with the TLS reason)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsconnect-pg-tls-'));
    const worker = new WorkerProcess(dir, await freePort(), {
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    });
    try {
      await worker.start();
      const config = cfg('tls_user', { 'slot.name': 'tls_worker', 'database.sslmode': 'verify-full', 'database.sslrootcert': otherCa, 'database.sslfactory': 'org.postgresql.ssl.NonValidatingFactory' });
      const res = await worker.request('POST', '/connectors', { name: config.name, config });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const task = await waitFor('the task FAILED', async () => {
        const s = await worker.request('GET', `/connectors/${config.name}/status`);
        const t = (s.body as { tasks?: { state: string; trace?: string }[] }).tasks?.[0];
        return t?.state === 'FAILED' ? t : undefined;
      }, 30_000);
      assert.match(task.trace ?? '', /TLS: the server's certificate .* could not be verified against database\.sslrootcert=/);
      assert.doesNotMatch(task.trace ?? '', new RegExp(PW));
    } finally {
      await worker.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
