/**
 * A throwaway PostgreSQL cluster: `initdb` into a temporary directory, start `postgres` on a free port,
 * and remove everything on `stop()`. Used by the integration tests and by `tsconnect demo` when the user
 * points at no database of their own.
 *
 * - Binaries: `pg_config --bindir`, else the highest `/usr/lib/postgresql/<v>/bin`, else `PG_BINDIR`.
 * - `wal_level=logical` (configurable), `max_wal_senders` / `max_replication_slots` = 10.
 * - Listens on 127.0.0.1 only; the unix socket lives in the temporary directory.
 * - User `postgres` / password `postgres`; password (scram-sha-256) authentication on TCP, including
 *   replication connections, so wrong-password cases behave as on a real server.
 * - When this process runs as root, initdb and postgres run as the `postgres` OS user (PostgreSQL refuses
 *   to run as root).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdtemp, writeFile, appendFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { alive, freePort } from './process-support.js';
import { type CertFiles, issueCert, makeCa } from './tls-certs.js';

const execFileP = promisify(execFile);

export interface PostgresClusterOptions {
  walLevel?: 'logical' | 'replica';
  /** Extra `postgresql.conf` settings (name -> value, written as `name = 'value'`). */
  extraConf?: Record<string, string>;
  /** Serve TLS too (`ssl = on`), with certificates made by `openssl` in the cluster's directory. */
  tls?: PostgresTlsOptions;
}

/**
 * Roles named here get their own pg_hba.conf lines (before the general ones), for ordinary and replication
 * connections over TCP. The roles themselves are created by the caller (CREATE ROLE ... LOGIN REPLICATION).
 * The `postgres` user keeps connecting with or without TLS.
 */
export interface PostgresTlsOptions {
  /** Must use TLS (hostssl + scram-sha-256; plain connections are rejected). */
  sslOnlyUsers?: string[];
  /** Must use TLS and a client certificate whose CN is the role (hostssl + cert); one is issued for each. */
  certUsers?: string[];
  /** Must NOT use TLS (hostnossl + scram-sha-256; TLS connections are rejected). */
  plainOnlyUsers?: string[];
}

export interface PostgresTlsFiles {
  dir: string;
  /** PEM of the CA that signed the server's (and the clients') certificates. */
  caCert: string;
  /** PEM of another CA, which signed nothing the server uses (for "wrong CA" cases). */
  otherCaCert: string;
  /** Server certificate: CN localhost, subjectAltName DNS:localhost, IP:127.0.0.1. */
  serverCert: string;
  serverKey: string;
  /** PEM client certificate and key of each `certUsers` role. */
  clientCerts: Record<string, CertFiles>;
}

export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly dataDir: string;
  readonly connectionString: string;
  /** The certificate files, when started with `tls`. */
  readonly tls: PostgresTlsFiles | null;
  /** Fast shutdown, then the temporary directory is removed. Safe to call twice. */
  stop(): Promise<void>;
  /** Fast shutdown (when running) and start again on the same port and data directory. */
  restart(): Promise<void>;
  /** SIGKILL the postmaster and all its backends (a crash); `restart()` brings it back with crash recovery. */
  kill9(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const HOST = '127.0.0.1';

/** Directory of `initdb`/`postgres`, or a clear error telling how to install them. */
export function findPostgresBinDir(): string {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // pg_config absent: look at Debian's layout below.
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // no Debian layout
  }
  for (const dir of candidates) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, postgres) not found: looked at PG_BINDIR, `pg_config --bindir` and ' +
      '/usr/lib/postgresql/*/bin. Install them with `apt-get install postgresql` (Debian/Ubuntu) or set PG_BINDIR.',
  );
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The command line that runs `bin` as the postgres OS user when we are root. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  if (!isRoot) return [bin, args];
  if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser') || existsSync('/usr/bin/runuser')) {
    return ['runuser', ['-u', 'postgres', '--', bin, ...args]];
  }
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return ['su', ['postgres', '-s', '/bin/sh', '-c', quoted]];
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Running as root but there is no `postgres` OS user; install `postgresql` (apt-get install postgresql) or create the user.');
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

/** PIDs of the direct children of `pid` (backends of a postmaster), read from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      // process went away
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const running = new Set<{ pid: () => number | null; dir: string }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Do not leave servers and directories behind when a test process exits without stopping them.
  process.once('exit', () => {
    for (const c of running) {
      const pid = c.pid();
      if (pid) {
        for (const child of childrenOf(pid)) try { process.kill(child, 'SIGKILL'); } catch { /* gone */ }
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      try { rmSync(c.dir, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  });
}

export async function startPostgres(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const bindir = findPostgresBinDir();
  const baseDir = await mkdtemp(join(tmpdir(), 'tsconnect-pg-'));
  const dataDir = join(baseDir, 'data');
  const logFile = join(baseDir, 'postgres.log');
  const ids = isRoot ? postgresIds() : null;
  if (ids) await chown(baseDir, ids.uid, ids.gid);

  const pwFile = join(baseDir, 'pwfile');
  await writeFile(pwFile, PASSWORD + '\n', { mode: 0o600 });
  if (ids) await chown(pwFile, ids.uid, ids.gid);

  const [initCmd, initArgs] = asPostgres(join(bindir, 'initdb'), [
    '-D', dataDir, '-U', USER, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
    '--encoding=UTF8', '--no-locale', '--no-sync',
  ]);
  try {
    await execFileP(initCmd, initArgs, { cwd: baseDir, env: { ...process.env, LC_ALL: 'C' } });
  } catch (e) {
    rmSync(baseDir, { recursive: true, force: true });
    const err = e as { stderr?: string; message: string };
    throw new Error(`initdb failed: ${err.stderr?.trim() || err.message}`);
  }

  const port = await freePort(HOST);
  const conf: Record<string, string> = {
    listen_addresses: HOST,
    port: String(port),
    unix_socket_directories: baseDir,
    wal_level: options.walLevel ?? 'logical',
    max_wal_senders: '10',
    max_replication_slots: '10',
    max_connections: '60',
    shared_buffers: '64MB',
    password_encryption: 'scram-sha-256',
    timezone: 'UTC',
    // A throwaway cluster: crash safety against an OS crash is not needed (kill -9 of the server is still
    // recovered from, because the page cache survives).
    fsync: 'off',
    full_page_writes: 'off',
    ...(options.extraConf ?? {}),
  };
  const tls = options.tls ? await makeTlsFiles(baseDir, options.tls, ids) : null;
  if (tls) {
    Object.assign(conf, { ssl: 'on', ssl_cert_file: tls.serverCert, ssl_key_file: tls.serverKey, ssl_ca_file: tls.caCert });
  }
  const confText = Object.entries(conf)
    .map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'`)
    .join('\n');
  await appendFile(join(dataDir, 'postgresql.conf'), `\n# tsconnect throwaway cluster\n${confText}\n`);
  await writeFile(
    join(dataDir, 'pg_hba.conf'),
    [
      'local   all             all                                     trust',
      'local   replication     all                                     trust',
      ...(options.tls ? tlsHbaLines(options.tls) : []),
      'host    all             all             127.0.0.1/32            scram-sha-256',
      'host    replication     all             127.0.0.1/32            scram-sha-256',
      '',
    ].join('\n'),
  );
  if (ids) {
    await chown(join(dataDir, 'pg_hba.conf'), ids.uid, ids.gid);
  }

  let postmasterPid: number | null = null;
  let stopped = false;
  const entry = { pid: () => postmasterPid, dir: baseDir };

  const readPid = async (): Promise<number | null> => {
    try {
      const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
      const pid = Number(text.split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  };

  const start = async (): Promise<void> => {
    const fd = openSync(logFile, 'a');
    if (ids) await chown(logFile, ids.uid, ids.gid);
    const [cmd, args] = asPostgres(join(bindir, 'postgres'), ['-D', dataDir]);
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], detached: false, env: { ...process.env, LC_ALL: 'C' } });
    closeSync(fd);
    let exited: string | null = null;
    child.once('exit', (code, signal) => {
      exited = `exit code ${code ?? ''}${signal ? ' signal ' + signal : ''}`;
    });
    child.unref();
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
        throw new Error(`postgres did not start (${exited}). Last log lines:\n${log}`);
      }
      const client = new pg.Client({ host: HOST, port, user: USER, password: PASSWORD, database: 'postgres' });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        break;
      } catch {
        await client.end().catch(() => {});
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s; see ${logFile}`);
        await sleep(100);
      }
    }
    postmasterPid = await readPid();
    running.add(entry);
    installExitHook();
  };

  /** Sends `signal` to the postmaster and waits until it and its backends are gone. */
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    const pid = postmasterPid ?? (await readPid());
    if (!pid || !alive(pid)) return;
    const children = signal === 'SIGKILL' ? childrenOf(pid) : [];
    process.kill(pid, signal);
    for (const c of children) try { process.kill(c, 'SIGKILL'); } catch { /* gone */ }
    const deadline = Date.now() + 60_000;
    while (alive(pid) || children.some(alive)) {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        break;
      }
      await sleep(50);
    }
    postmasterPid = null;
  };

  await start();

  const cluster: PostgresCluster = {
    host: HOST,
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
    dataDir,
    connectionString: `postgresql://${USER}:${PASSWORD}@${HOST}:${port}/postgres`,
    tls,
    async stop() {
      if (stopped) return;
      stopped = true;
      await shutdown('SIGINT');
      running.delete(entry);
      rmSync(baseDir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('cluster was stopped');
      await shutdown('SIGINT');
      await start();
    },
    async kill9() {
      if (stopped) throw new Error('cluster was stopped');
      await shutdown('SIGKILL');
    },
  };
  return cluster;
}

/**
 * pg_hba.conf lines for the TLS roles. `all` covers logical replication connections (they name a database);
 * `replication` covers physical ones.
 */
function tlsHbaLines(o: PostgresTlsOptions): string[] {
  const lines: string[] = [];
  const both = (type: string, user: string, method: string) => {
    for (const db of ['all', 'replication']) lines.push(`${type.padEnd(10)} ${db.padEnd(12)} ${user.padEnd(20)} ${HOST}/32    ${method}`);
  };
  for (const u of o.sslOnlyUsers ?? []) {
    both('hostssl', u, 'scram-sha-256');
    both('hostnossl', u, 'reject');
  }
  for (const u of o.certUsers ?? []) {
    both('hostssl', u, 'cert');
    both('hostnossl', u, 'reject');
  }
  for (const u of o.plainOnlyUsers ?? []) {
    both('hostnossl', u, 'scram-sha-256');
    both('hostssl', u, 'reject');
  }
  return lines;
}

/** CA, server certificate and client certificates under `<baseDir>/tls`, readable by the server. */
async function makeTlsFiles(baseDir: string, o: PostgresTlsOptions, ids: { uid: number; gid: number } | null): Promise<PostgresTlsFiles> {
  const dir = join(baseDir, 'tls');
  mkdirSync(dir, { mode: 0o700 });
  const ca = makeCa(dir, 'ca');
  const other = makeCa(dir, 'other-ca');
  const server = issueCert(ca, dir, 'server', 'localhost', ['DNS:localhost', `IP:${HOST}`]);
  const clientCerts: Record<string, CertFiles> = {};
  for (const u of o.certUsers ?? []) clientCerts[u] = issueCert(ca, dir, `client-${u}`, u);
  // The server refuses a key file that others can read or that belongs to another user.
  if (ids) {
    await chown(dir, ids.uid, ids.gid);
    for (const f of [ca.cert, server.cert, server.key]) await chown(f, ids.uid, ids.gid);
  }
  return { dir, caCert: ca.cert, otherCaCert: other.cert, serverCert: server.cert, serverKey: server.key, clientCerts };
}

/** True when PostgreSQL server binaries can be found (for tools that want to say so before trying). */
export function postgresAvailable(): boolean {
  try {
    findPostgresBinDir();
    return true;
  } catch {
    return false;
  }
}
