/**
 * Kafka's `BasicAuthSecurityRestExtension` (`rest.extension.classes=org.apache.kafka.connect.rest.basic.auth
 * .extension.BasicAuthSecurityRestExtension`): every request on the regular listeners must carry
 * `Authorization: Basic base64(user:password)` accepted by the `KafkaConnect` entry of the JAAS file, whose
 * `PropertyFileLoginModule` checks a properties file of `user=password` (or `user: password`) lines.
 *
 * As Kafka (`JaasBasicAuthFilter`, `PropertyFileLoginModule`):
 * - the internal requests between workers, `POST /connectors/{c}/tasks` and `PUT /connectors/{c}/fence`, are
 *   not authenticated here (Kafka signs them with the session key when the protocol is `sessioned`);
 * - an empty users file lets every request through (with a warning at start);
 * - missing, malformed and wrong credentials all get the same 401, whichever part was wrong; the answer is
 *   `{"error_code":401,"message":"User cannot access the resource."}` (Kafka sends the bare text);
 * - the admin listeners (`admin.listeners` set) do not get REST extensions, so no basic auth there.
 * The JAAS file is read at start; a missing `KafkaConnect` entry or another login module class stops the
 * worker with a ConfigException (the JVM worker would answer 401 to every request instead).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseProperties } from 'dot-properties';
import type { Logger } from 'pino';
import { ConfigException } from '../../errors.js';
import { RestError } from '../../herder/types.js';
import type { JaasConfig } from '../../security/jaas.js';

export const BASIC_AUTH_EXTENSION_CLASS = 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension';
export const PROPERTY_FILE_LOGIN_MODULE = 'org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule';
const LOGIN_ENTRY = 'KafkaConnect';
export const UNAUTHORIZED_MESSAGE = 'User cannot access the resource.';

/** Kafka's `INTERNAL_REQUEST_MATCHERS`. */
const INTERNAL_REQUESTS: { method: string; path: RegExp }[] = [
  { method: 'POST', path: /^\/?connectors\/([^/]+)\/tasks\/?$/ },
  { method: 'PUT', path: /^\/?connectors\/[^/]+\/fence\/?$/ },
];

export function isInternalRequest(method: string, path: string): boolean {
  return INTERNAL_REQUESTS.some((m) => m.method === method && m.path.test(path));
}

/** `user:password` from an Authorization header, or null when absent or malformed. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space <= 0 || header.slice(0, space).toLowerCase() !== 'basic') return null;
  const encoded = header.slice(space + 1).trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The users of a `PropertyFileLoginModule` file (`user=password` / `user: password`). */
export function readUsersFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigException('Error loading Property Credentials file');
  }
  return new Map(Object.entries(parseProperties(text) as Record<string, string>));
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** One `PropertyFileLoginModule`: does it accept these credentials? */
class PropertyFileLogin {
  private readonly users: Map<string, Buffer>;
  readonly permitsAll: boolean;

  constructor(readonly file: string) {
    const users = readUsersFile(file);
    this.permitsAll = users.size === 0;
    this.users = new Map([...users].map(([u, p]) => [u, digest(p)]));
  }

  login(credentials: { user: string; password: string } | null): boolean {
    if (this.permitsAll) return true;
    if (!credentials) return false;
    const expected = this.users.get(credentials.user);
    // Compare digests in constant time; an unknown user costs the same as a wrong password.
    const ok = timingSafeEqual(digest(credentials.password), expected ?? digest('\u0000unknown'));
    return ok && expected !== undefined;
  }
}

export type Authenticator = (method: string, path: string, authorization: string | undefined) => void;

/**
 * The request check of the basic auth extension, from a parsed JAAS configuration. Throws a 401 RestError
 * for a request that does not authenticate.
 */
export function basicAuthenticator(jaas: JaasConfig, source: string, logger?: Logger): Authenticator {
  const modules = jaas.get(LOGIN_ENTRY);
  if (!modules || modules.length === 0) throw new ConfigException(`${source}: no '${LOGIN_ENTRY}' login entry, which the basic auth REST extension needs`);
  const logins = modules.map((m) => {
    if (m.className !== PROPERTY_FILE_LOGIN_MODULE) {
      throw new ConfigException(`${source}: login module ${m.className} is not supported here; use ${PROPERTY_FILE_LOGIN_MODULE}`);
    }
    const file = m.options['file'];
    if (!file || file.trim() === '') throw new ConfigException('Property Credentials file must be specified');
    const login = new PropertyFileLogin(file);
    if (login.permitsAll) logger?.warn(`Credential properties file '${file}' is empty; all requests will be permitted`);
    return login;
  });
  return (method, path, authorization) => {
    if (isInternalRequest(method, path)) return;
    const credentials = basicCredentials(authorization);
    // PropertyFileLoginModule answers false (never throws) for bad credentials: JAAS then succeeds iff one module does.
    if (logins.some((l) => l.login(credentials))) return;
    logger?.debug('Request failed authentication');
    throw new RestError(401, UNAUTHORIZED_MESSAGE);
  };
}
