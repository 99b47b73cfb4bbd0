/**
 * TLS for the connector's PostgreSQL connections (metadata, snapshot and replication), with the meaning
 * Debezium users know from pgjdbc / libpq rather than node-postgres':
 *
 *   sslmode      encrypted?                          server certificate checked?
 *   disable      never                               -
 *   allow        plain first; TLS if the server      no
 *                rejects the plain attempt (28000)
 *   prefer       TLS first; plain if the server has  no
 *   (default)    no TLS or rejects the TLS attempt
 *   require      always                              no (pgjdbc; libpq would check against a root
 *                                                     certificate file when one exists)
 *   verify-ca    always                              chain against database.sslrootcert
 *   verify-full  always                              chain and host name (CN / subjectAltName)
 *
 * node-postgres itself has no fallback (`ssl: true` fails against a server without TLS, `ssl: false` never
 * tries it) and, in connection strings, reads `sslmode=require` as "verify everything". Here `pg` only ever
 * gets explicit `tls.connect` options, and `PgTlsClient` (below) runs the allow/prefer fallback.
 *
 * Files follow pgjdbc: `database.sslrootcert` (PEM; `system` = the system's CAs, which implies verify-full as
 * in libpq), `database.sslcert` (PEM), `database.sslkey` (PEM, DER PKCS#8 `.pk8`, or PKCS#12 `.p12`/`.pfx`
 * holding key and certificate), `database.sslpassword` for an encrypted key. Unset, they default to
 * `~/.postgresql/root.crt`, `postgresql.crt`, `postgresql.pk8` / `postgresql.key` when those exist.
 */
import { createPrivateKey } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { getLogger } from '../../connect/logging.js';
import { ConnectException } from '../../connect/errors.js';
import { storeKind } from '../../connect/security/key-stores.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The TLS-related part of the connector configuration (file paths as configured). */
export interface PgTlsSettings {
  sslmode: string;
  sslrootcert: string | null;
  sslcert: string | null;
  sslkey: string | null;
  sslpassword: string | null;
  sslfactory: string | null;
}

/** What a connection does about TLS: the mode, and the `tls.connect` options used when it encrypts. */
export interface PgTls {
  mode: SslMode;
  options: ConnectionOptions;
  /** For error messages: where the CA came from. */
  rootCertSource: string | null;
}

const defaultDir = (): string => join(homedir(), '.postgresql');
const loggedFactories = new Set<string>();

function readFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConnectException(`Could not read ${key}=${path}: ${(e as Error).message}`);
  }
}

/** The client key as unencrypted PEM (so a wrong password shows up here, naming the setting). */
function loadKey(path: string, keyName: string, password: string | null): string {
  const raw = readFile(keyName, path);
  const passphrase = password ?? undefined;
  try {
    const key = storeKind(raw) === 'PEM'
      ? createPrivateKey({ key: raw, format: 'pem', passphrase })
      : createPrivateKey({ key: raw, format: 'der', type: 'pkcs8', passphrase });
    return key.export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch (e) {
    const hint = /passphrase|decrypt|bad decrypt/i.test((e as Error).message)
      ? ' (encrypted key: is database.sslpassword set and right?)'
      : ' (expected a PEM key, a DER PKCS#8 key (.pk8) or a PKCS#12 file (.p12/.pfx))';
    throw new ConnectException(`Could not read the client key ${keyName}=${path}: ${(e as Error).message}${hint}`);
  }
}

/** Reads the configured files into `tls.connect` options; throws ConnectException naming the setting. */
export function resolvePgTls(s: PgTlsSettings): PgTls {
  let mode = s.sslmode.toLowerCase() as SslMode;
  if (!SSL_MODES.includes(mode)) throw new ConnectException(`Invalid database.sslmode '${s.sslmode}'; expected one of ${SSL_MODES.join(', ')}`);
  if (s.sslfactory && !loggedFactories.has(s.sslfactory)) {
    loggedFactories.add(s.sslfactory);
    getLogger('io.debezium.connector.postgresql.PostgresConnectorConfig').info(
      `database.sslfactory=${s.sslfactory} is ignored: there are no Java socket factories here; certificate checks follow database.sslmode (require = encrypted without checks)`,
    );
  }
  const options: ConnectionOptions = {};
  let rootCertSource: string | null = null;
  if (mode === 'disable') return { mode, options, rootCertSource };

  const verify = mode === 'verify-ca' || mode === 'verify-full';
  if (s.sslrootcert === 'system') {
    // libpq: the system's trusted roots, and then only verify-full makes sense.
    if (verify) mode = 'verify-full';
    rootCertSource = 'the system\'s trusted CAs';
  } else if (verify) {
    const path = s.sslrootcert ?? join(defaultDir(), 'root.crt');
    if (!s.sslrootcert && !existsSync(path)) {
      throw new ConnectException(
        `database.sslmode=${mode} checks the server's certificate but no CA certificate is configured: set database.sslrootcert to a PEM file with the CA(s) that signed it (or 'system' for the system's trusted CAs), or use database.sslmode=require to encrypt without checks. (${path} does not exist.)`,
      );
    }
    options.ca = readFile('database.sslrootcert', path);
    rootCertSource = `database.sslrootcert=${path}`;
  }
  options.rejectUnauthorized = verify;
  // verify-ca: the chain only; Node checks the host name unless told not to.
  if (mode === 'verify-ca') options.checkServerIdentity = () => undefined;

  const keyPath = s.sslkey ?? firstExisting([join(defaultDir(), 'postgresql.pk8'), join(defaultDir(), 'postgresql.key')]);
  if (keyPath && /\.(p12|pfx)$/i.test(keyPath)) {
    // pgjdbc: a PKCS#12 key file carries the certificate too; database.sslcert is not read.
    options.pfx = readFile('database.sslkey', keyPath);
    if (s.sslpassword !== null) options.passphrase = s.sslpassword;
  } else {
    const certPath = s.sslcert ?? firstExisting([join(defaultDir(), 'postgresql.crt')]);
    if (certPath) {
      if (!keyPath) throw new ConnectException(`database.sslcert=${certPath} is set but there is no client key: set database.sslkey`);
      options.cert = readFile('database.sslcert', certPath);
      options.key = loadKey(keyPath, s.sslkey ? 'database.sslkey' : 'the default client key', s.sslpassword);
    } else if (s.sslkey) {
      throw new ConnectException(`database.sslkey=${s.sslkey} is set but database.sslcert is not`);
    }
  }
  return { mode, options, rootCertSource };
}

function firstExisting(paths: string[]): string | null {
  return paths.find((p) => existsSync(p)) ?? null;
}

/** The order of attempts: `false` = plain, `true` = TLS. */
function attempts(mode: SslMode): boolean[] {
  switch (mode) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, true];
    case 'prefer':
      return [true, false];
    default:
      return [true];
  }
}

/** Why an attempt failed in a way that a fallback attempt with the other encryption may cure. */
function fallbackWorthy(e: unknown, wasTls: boolean): boolean {
  const err = e as { code?: string; message?: string };
  // 28000 invalid_authorization_specification: pg_hba.conf has no entry for this encryption (pgjdbc retries on it).
  if (err.code === '28000') return true;
  return wasTls && /does not support SSL/i.test(err.message ?? '');
}

/** A clearer message for TLS failures, naming the settings to look at; other errors pass through. */
export function explainTlsError(e: unknown, tls: PgTls, where: string): unknown {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const say = (text: string): Error => Object.assign(new Error(text, { cause: e }), err.code ? { code: err.code } : {});
  if (/does not support SSL/i.test(msg)) {
    return say(`The server ${where} does not accept TLS connections but database.sslmode=${tls.mode} requires one (use prefer or disable, or turn on ssl in the server)`);
  }
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return say(`TLS: the server's certificate does not name the host ${where} (${msg}); database.sslmode=verify-full checks the host name, verify-ca does not`);
  }
  if (typeof err.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO|ISSUER/.test(err.code)) {
    return say(`TLS: the server's certificate ${where} could not be verified against ${tls.rootCertSource ?? 'the configured CA'} (${err.code}: ${msg}); database.sslmode=${tls.mode}`);
  }
  if (err.code === '28000' && /no encryption|SSL off/i.test(msg)) {
    return say(`${msg} — the server requires TLS for this user; database.sslmode=${tls.mode} did not use it`);
  }
  if (/certificate/i.test(msg) && err.code === '28000') {
    return say(`${msg} — check database.sslcert / database.sslkey (the certificate's CN must be the database user)`);
  }
  return e;
}

interface PgClientInternals {
  connection: unknown;
  ssl: ConnectionOptions | false;
  connectionParameters: { ssl: ConnectionOptions | false };
  _connecting: boolean;
  _connected: boolean;
  _connectionError: boolean;
  _ending: boolean;
  _ended: boolean;
  _queryable: boolean;
}

type ConnectionCtor = new (config: Record<string, unknown>) => unknown;

/**
 * A `pg.Client` that connects the libpq way: with `allow` / `prefer` it makes a second attempt with the other
 * encryption when the first is refused, on the same Client object (callers hold it already), by giving it a
 * fresh protocol connection. Errors come back with TLS-specific explanations.
 */
export class PgTlsClient extends pg.Client {
  private readonly tls: PgTls;
  private readonly base: pg.ClientConfig;

  constructor(config: pg.ClientConfig, tls: PgTls) {
    const order = attempts(tls.mode);
    super({ ...config, ssl: order[0] ? tls.options : false });
    this.tls = tls;
    this.base = config;
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
    const p = this.connectWithFallback();
    if (!callback) return p;
    p.then(() => callback(null as unknown as Error), callback);
  }

  private async connectWithFallback(): Promise<pg.Client> {
    const order = attempts(this.tls.mode);
    const where = `(${this.base.host}:${this.base.port})`;
    for (let i = 0; ; i++) {
      // The failed attempt's socket must be closed before the retry: pg's handler of its 'end' event would
      // otherwise report "Connection terminated unexpectedly" to the next attempt.
      const con = (this as unknown as PgClientInternals).connection as EventEmitter;
      const ended = new Promise<void>((resolve) => con.once('end', () => resolve()));
      try {
        return await super.connect();
      } catch (e) {
        const next = order[i + 1];
        if (next === undefined || !fallbackWorthy(e, order[i]!) || !(await this.reset(next, con, ended))) throw explainTlsError(e, this.tls, where);
      }
    }
  }

  /** Puts the client back to "never connected" with a new protocol connection; false if pg's shape is unknown. */
  private async reset(useTls: boolean, old: EventEmitter, ended: Promise<void>): Promise<boolean> {
    const self = this as unknown as PgClientInternals;
    const Connection = (pg as unknown as { Connection?: ConnectionCtor }).Connection;
    if (!Connection || !('connection' in self) || !('_connecting' in self)) return false;
    (old as unknown as { stream?: { destroy(): void } }).stream?.destroy();
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000).unref());
    if ((await Promise.race([ended.then(() => true), timeout])) === false) return false;
    const ssl = useTls ? this.tls.options : false;
    self.ssl = ssl;
    self.connectionParameters.ssl = ssl;
    self.connection = new Connection({
      ssl,
      keepAlive: this.base.keepAlive ?? false,
      keepAliveInitialDelayMillis: this.base.keepAliveInitialDelayMillis ?? 0,
      encoding: 'utf8',
    });
    self._connecting = false;
    self._connected = false;
    self._connectionError = false;
    self._ending = false;
    self._ended = false;
    self._queryable = true;
    return true;
  }
}
