/**
 * TLS for the REST API from the worker's SSL keys (Kafka's `SSLUtils`): the `listeners.https.` prefixed keys
 * for the regular listeners and the forwarding client, `admin.listeners.https.` for the admin listeners.
 * As Kafka's `valuesWithPrefixAllOrNothing`: when any key carries the prefix, only prefixed keys count;
 * otherwise the plain `ssl.*` keys (shared with the Kafka clients) do.
 *
 * Key stores: PKCS12 (Node's `pfx`) and PEM (`ssl.keystore.type=PEM` with `ssl.keystore.key` and
 * `ssl.keystore.certificate.chain` inline, or `ssl.keystore.location` naming a PEM file). Kafka's default
 * type is JKS, which Java also uses to read PKCS12 files: an unset or JKS type therefore reads PKCS12 (and
 * PEM) files, and refuses a real JKS file with how to convert it. Trust stores: PEM (inline
 * `ssl.truststore.certificates` or a file) and PKCS12 (certificates read by ./pkcs12.ts).
 * `ssl.client.auth`: none | requested | required. `ssl.enabled.protocols` maps to min/max TLS versions;
 * `ssl.cipher.suites` (Java suite names) is not applied.
 */
import type { SecureVersion, TlsOptions, ConnectionOptions } from 'node:tls';
import { ConfigException } from '../../errors.js';
import { normalizePem, pemBlocks, protocolIndexes, readStoreFile, storeKind, TLS_VERSIONS } from '../../security/key-stores.js';
import { pkcs12Certificates } from '../../security/pkcs12.js';

export type SslPrefix = 'listeners.https.' | 'admin.listeners.https.';

/** The SSL keys the REST server and client read (Kafka's SslConfigs and `ssl.client.auth`). */
const SSL_KEYS = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.client.auth',
  'ssl.enabled.protocols',
  'ssl.protocol',
  'ssl.endpoint.identification.algorithm',
] as const;

export type SslValues = Partial<Record<(typeof SSL_KEYS)[number], string>>;

type Where = (key: string) => string;

/** The SSL settings that apply under `prefix` (all-or-nothing, as Kafka), and the key each came from. */
function sslSettings(props: Readonly<Record<string, string>>, prefix: SslPrefix): { ssl: SslValues; where: Where } {
  const prefixed = Object.keys(props).some((k) => k.startsWith(prefix));
  const where: Where = (key) => (prefixed ? prefix + key : key);
  const ssl: SslValues = {};
  for (const key of SSL_KEYS) {
    const v = props[where(key)];
    if (v !== undefined) ssl[key] = v;
  }
  return { ssl, where };
}

/** The SSL settings that apply under `prefix` (all-or-nothing, as Kafka). */
export function sslValues(props: Readonly<Record<string, string>>, prefix: SslPrefix): SslValues {
  return sslSettings(props, prefix).ssl;
}

/** Node TLS server options for an https listener. */
export function serverTlsOptions(props: Readonly<Record<string, string>>, prefix: SslPrefix): TlsOptions {
  const { ssl, where } = sslSettings(props, prefix);
  const identity = keyStore(ssl, where);
  if (!identity) {
    throw new ConfigException(where('ssl.keystore.location'), null, 'An https listener needs a key store (ssl.keystore.location, or ssl.keystore.key and ssl.keystore.certificate.chain with ssl.keystore.type=PEM)');
  }
  const clientAuth = (ssl['ssl.client.auth'] ?? 'none').trim().toLowerCase();
  if (!['none', 'requested', 'required'].includes(clientAuth)) {
    throw new ConfigException(where('ssl.client.auth'), ssl['ssl.client.auth'], 'String must be one of: required, requested, none');
  }
  const ca = trustStore(ssl, where);
  return {
    ...identity,
    ...(ca ? { ca } : {}),
    ...protocolVersions(ssl),
    requestCert: clientAuth !== 'none',
    rejectUnauthorized: clientAuth === 'required',
  };
}

/**
 * Node TLS client options for requests to other workers over https (Kafka's client side factory: the
 * `listeners.https.` keys, key store as client certificate, trust store, hostname verification unless
 * `ssl.endpoint.identification.algorithm` is empty).
 */
export function clientTlsOptions(props: Readonly<Record<string, string>>): ConnectionOptions {
  const { ssl, where } = sslSettings(props, 'listeners.https.');
  const ca = trustStore(ssl, where);
  const verifyHost = (ssl['ssl.endpoint.identification.algorithm'] ?? 'https').trim() !== '';
  return {
    ...(keyStore(ssl, where) ?? {}),
    ...(ca ? { ca } : {}),
    ...protocolVersions(ssl),
    ...(verifyHost ? {} : { checkServerIdentity: () => undefined }),
  };
}

function keyStore(ssl: SslValues, where: Where): Pick<TlsOptions, 'pfx' | 'key' | 'cert' | 'passphrase'> | null {
  const type = (ssl['ssl.keystore.type'] ?? 'JKS').trim().toUpperCase();
  const location = ssl['ssl.keystore.location'];
  const keyPassword = ssl['ssl.key.password'];
  if (type === 'PEM') {
    const inlineKey = ssl['ssl.keystore.key'];
    const inlineChain = ssl['ssl.keystore.certificate.chain'];
    if (inlineKey !== undefined || inlineChain !== undefined) {
      if (!inlineKey || !inlineChain) throw new ConfigException(where('ssl.keystore.key'), null, 'ssl.keystore.key and ssl.keystore.certificate.chain must both be set');
      return { key: normalizePem(inlineKey), cert: normalizePem(inlineChain), passphrase: keyPassword };
    }
  }
  if (location === undefined || location.trim() === '') return null;
  const bytes = readStoreFile(where('ssl.keystore.location'), location);
  if (type === 'PEM' || storeKind(bytes) === 'PEM') return pemIdentity(bytes.toString('utf8'), keyPassword, where('ssl.keystore.location'));
  checkNotJavaStore(bytes, location, where('ssl.keystore.location'));
  if (type !== 'PKCS12' && type !== 'JKS') throw new ConfigException(where('ssl.keystore.type'), ssl['ssl.keystore.type'], 'Supported key store types: PKCS12, PEM');
  return { pfx: bytes, passphrase: ssl['ssl.keystore.password'] };
}

function trustStore(ssl: SslValues, where: Where): string[] | null {
  const type = (ssl['ssl.truststore.type'] ?? 'JKS').trim().toUpperCase();
  const inline = ssl['ssl.truststore.certificates'];
  if (type === 'PEM' && inline !== undefined) return certificates(inline);
  const location = ssl['ssl.truststore.location'];
  if (location === undefined || location.trim() === '') return null;
  const bytes = readStoreFile(where('ssl.truststore.location'), location);
  if (type === 'PEM' || storeKind(bytes) === 'PEM') {
    const certs = certificates(bytes.toString('utf8'));
    if (certs.length === 0) throw new ConfigException(where('ssl.truststore.location'), location, 'No certificate found in the PEM trust store');
    return certs;
  }
  checkNotJavaStore(bytes, location, where('ssl.truststore.location'));
  if (type !== 'PKCS12' && type !== 'JKS') throw new ConfigException(where('ssl.truststore.type'), ssl['ssl.truststore.type'], 'Supported trust store types: PKCS12, PEM');
  try {
    return pkcs12Certificates(bytes, ssl['ssl.truststore.password'] ?? '');
  } catch (e) {
    throw new ConfigException(where('ssl.truststore.location'), location, `Cannot read the PKCS12 trust store: ${(e as Error).message}`);
  }
}

/** JKS (0xFEEDFEED) and JCEKS (0xCECECECE) are Java-only formats. */
function checkNotJavaStore(bytes: Buffer, location: string, key: string): void {
  const kind = storeKind(bytes);
  if (kind === 'JKS' || kind === 'JCEKS') {
    throw new ConfigException(
      key,
      location,
      `${kind} key stores cannot be read here; convert it to PKCS12 ` +
        `(keytool -importkeystore -srckeystore ${location} -destkeystore store.p12 -deststoretype PKCS12) ` +
        `and set the type to PKCS12, or use PEM files (ssl.keystore.type=PEM)`,
    );
  }
}

function certificates(pem: string): string[] {
  return pemBlocks(pem).filter((b) => b.label === 'CERTIFICATE').map((b) => b.block);
}

function pemIdentity(pem: string, passphrase: string | undefined, key: string): Pick<TlsOptions, 'key' | 'cert' | 'passphrase'> {
  const blocks = pemBlocks(pem);
  const privateKey = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.block);
  if (!privateKey || certs.length === 0) throw new ConfigException(key, null, 'A PEM key store must hold a private key and its certificate chain');
  return { key: privateKey.block, cert: certs.join('\n'), passphrase };
}

/** `ssl.enabled.protocols` (default TLSv1.2,TLSv1.3) as Node's min and max versions; unknown names are skipped. */
function protocolVersions(ssl: SslValues): { minVersion?: SecureVersion; maxVersion?: SecureVersion } {
  const listed = protocolIndexes(ssl['ssl.enabled.protocols'] ?? 'TLSv1.2,TLSv1.3').filter((i) => i >= 0);
  if (listed.length === 0) return {};
  return { minVersion: TLS_VERSIONS[Math.min(...listed)], maxVersion: TLS_VERSIONS[Math.max(...listed)] };
}
