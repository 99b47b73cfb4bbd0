/**
 * A client of the Confluent Schema Registry REST API (also served by Karapace, Apicurio's ccompat API, and
 * Redpanda), over `fetch`:
 *
 *   POST /subjects/{s}/versions                       register → {id}
 *   POST /subjects/{s}                                lookup   → {subject, id, version, schema}
 *   GET  /schemas/ids/{id}                            schema text by id
 *   GET  /subjects/{s}/versions/latest                latest   → {subject, id, version, schema}
 *   GET  /subjects/{s}/versions                       versions → [1, 2, ...]
 *
 * Answers are cached both ways (id → schema, subject + schema → id / version); they never change. Several
 * URLs (`schema.registry.url` is a list) are tried in turn. Connection errors and 5xx answers are retried
 * with exponential backoff, then reported as a RetriableException (the task's `errors.retry.timeout`
 * decides what happens next); 4xx answers are a RegistryError with the registry's `error_code`.
 */
import { RetriableException } from '../../connect/errors.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface RegistryClientOptions {
  urls: string[];
  /** `user:password` for HTTP basic auth, or null. */
  userInfo: string | null;
  /** Retries after the first attempt on connection errors / 5xx (default 3). */
  maxRetries?: number;
  /** First backoff in ms, doubled per retry (default 200). */
  retryBackoffMs?: number;
  /** Cap of the backoff in ms (default 5000). */
  retryBackoffMaxMs?: number;
  /** Time limit of one request in ms (default 30000). */
  requestTimeoutMs?: number;
  /** Extra request headers (`request.header.*`). */
  headers?: Record<string, string>;
}

/** An error answer of the registry (4xx): HTTP status and the registry's `error_code`. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(`${message}; error code: ${errorCode}`);
    this.name = 'RestClientException';
  }
}

export interface SubjectVersion {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

export class SchemaRegistryClient {
  private readonly urls: string[];
  private current = 0;
  private readonly auth: string | null;
  private readonly schemasById = new Map<number, string>();
  private readonly idsBySubjectSchema = new Map<string, number>();
  private readonly versionsBySubjectSchema = new Map<string, number>();

  constructor(private readonly options: RegistryClientOptions) {
    if (options.urls.length === 0) throw new Error('No schema registry URL');
    let userInfo = options.userInfo;
    this.urls = options.urls.map((u) => {
      const url = new URL(u.trim());
      // Credentials in the URL (basic.auth.credentials.source=URL): fetch refuses them, so send a header.
      if (url.username && userInfo === null) userInfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      url.username = '';
      url.password = '';
      return url.toString().replace(/\/+$/, '');
    });
    this.current = Math.floor(Math.random() * this.urls.length);
    this.auth = userInfo ? 'Basic ' + Buffer.from(userInfo, 'utf8').toString('base64') : null;
  }

  /** Registers `schema` under `subject` (or finds it there) and returns its id. */
  async register(subject: string, schema: string): Promise<number> {
    const key = subject + '\u0000' + schema;
    const cached = this.idsBySubjectSchema.get(key);
    if (cached !== undefined) return cached;
    const res = (await this.request('POST', `/subjects/${enc(subject)}/versions`, { schema })) as { id: number };
    this.idsBySubjectSchema.set(key, res.id);
    this.schemasById.set(res.id, schema);
    return res.id;
  }

  /** The id and version of `schema` under `subject` (404 with error code 40401/40403 when absent). */
  async lookup(subject: string, schema: string): Promise<SubjectVersion> {
    const res = (await this.request('POST', `/subjects/${enc(subject)}`, { schema })) as SubjectVersion;
    const key = subject + '\u0000' + schema;
    this.idsBySubjectSchema.set(key, res.id);
    this.versionsBySubjectSchema.set(key, res.version);
    return res;
  }

  /** The registered version of `schema` under `subject`, cached; null when the subject does not have it. */
  async version(subject: string, schema: string): Promise<number | null> {
    const key = subject + '\u0000' + schema;
    const cached = this.versionsBySubjectSchema.get(key);
    if (cached !== undefined) return cached;
    try {
      return (await this.lookup(subject, schema)).version;
    } catch (e) {
      if (e instanceof RegistryError && e.status === 404) return null;
      throw e;
    }
  }

  /** The schema text of an id (cached). */
  async schemaById(id: number): Promise<string> {
    const cached = this.schemasById.get(id);
    if (cached !== undefined) return cached;
    const res = (await this.request('GET', `/schemas/ids/${id}`)) as { schema: string };
    this.schemasById.set(id, res.schema);
    return res.schema;
  }

  async latest(subject: string): Promise<SubjectVersion> {
    const res = (await this.request('GET', `/subjects/${enc(subject)}/versions/latest`)) as SubjectVersion;
    this.schemasById.set(res.id, res.schema);
    return res;
  }

  async versions(subject: string): Promise<number[]> {
    return (await this.request('GET', `/subjects/${enc(subject)}/versions`)) as number[];
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const maxRetries = this.options.maxRetries ?? 3;
    let backoff = this.options.retryBackoffMs ?? 200;
    const backoffMax = this.options.retryBackoffMaxMs ?? 5000;
    const headers: Record<string, string> = { Accept: CONTENT_TYPE, ...this.options.headers };
    if (body !== undefined) headers['Content-Type'] = CONTENT_TYPE;
    if (this.auth) headers.Authorization = this.auth;
    let lastError: unknown;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) {
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, backoffMax);
      }
      const base = this.urls[this.current]!;
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
        });
      } catch (e) {
        lastError = e;
        this.current = (this.current + 1) % this.urls.length; // next URL on a connection error
        continue;
      }
      const text = await res.text();
      if (res.ok) return text === '' ? null : JSON.parse(text);
      let parsed: { error_code?: number; message?: string } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        parsed = { message: text };
      }
      const error = new RegistryError(res.status, parsed.error_code ?? res.status, parsed.message ?? res.statusText);
      if (res.status < 500) throw error;
      lastError = error;
    }
    const cause = lastError instanceof Error ? (lastError.cause instanceof Error ? lastError.cause.message : lastError.message) : String(lastError);
    throw new RetriableException(
      `Schema registry at ${this.urls.join(', ')} did not answer ${method} ${path} after ${maxRetries + 1} attempts: ${cause}`,
      { cause: lastError },
    );
  }
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}
