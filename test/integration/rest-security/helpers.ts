/**
 * Certificates made with the real `openssl` and `keytool` for the REST security tests (a CA, a server
 * certificate for localhost/127.0.0.1, a client certificate; PKCS12, PEM and JKS stores), and an HTTPS
 * client that trusts that CA and may present the client certificate.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';

export const STORE_PASSWORD = 'changeit';

export interface TestCerts {
  dir: string;
  caPem: string;
  /** PEM text */
  ca: string;
  serverP12: string;
  /** key and certificate chain in one PEM file */
  serverPem: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  clientP12: string;
  /** trust store with the CA, made by keytool (PKCS12) */
  trustP12: string;
  /** the same as JKS, which Node cannot read */
  trustJks: string;
  serverJks: string;
}

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: 'pipe' });
}

export function makeCerts(dir: string): TestCerts {
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tsconnect-test-ca'], dir);
  const sign = (name: string, ext: string) => {
    run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
    run('openssl', ['pkcs12', '-export', '-in', `${name}.pem`, '-inkey', `${name}.key`, '-certfile', 'ca.pem', '-out', `${name}.p12`, '-passout', `pass:${STORE_PASSWORD}`], dir);
  };
  sign('server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  sign('client', 'extendedKeyUsage=clientAuth\n');
  writeFileSync(join(dir, 'server-bundle.pem'), readFileSync(join(dir, 'server.key'), 'utf8') + readFileSync(join(dir, 'server.pem'), 'utf8'));
  run('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'trust.p12', '-storetype', 'PKCS12', '-storepass', STORE_PASSWORD], dir);
  run('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'trust.jks', '-storetype', 'JKS', '-storepass', STORE_PASSWORD], dir);
  run('keytool', ['-importkeystore', '-noprompt', '-srckeystore', 'server.p12', '-srcstoretype', 'PKCS12', '-srcstorepass', STORE_PASSWORD, '-destkeystore', 'server.jks', '-deststoretype', 'JKS', '-deststorepass', STORE_PASSWORD], dir);
  const p = (f: string) => join(dir, f);
  return {
    dir,
    caPem: p('ca.pem'),
    ca: readFileSync(p('ca.pem'), 'utf8'),
    serverP12: p('server.p12'),
    serverPem: p('server-bundle.pem'),
    serverKey: p('server.key'),
    serverCert: p('server.pem'),
    clientKey: p('client.key'),
    clientCert: p('client.pem'),
    clientP12: p('client.p12'),
    trustP12: p('trust.p12'),
    trustJks: p('trust.jks'),
    serverJks: p('server.jks'),
  };
}

export interface CallOptions {
  body?: unknown;
  /** CA to trust (PEM); default: the system's. */
  ca?: string;
  /** client certificate and key (PEM text) */
  cert?: string;
  key?: string;
  auth?: { user: string; password: string };
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP(S) request; rejects on TLS or connection errors. */
export function call(base: string, method: string, path: string, o: CallOptions = {}): Promise<CallResult> {
  const url = new URL(path, base);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (o.auth) headers['authorization'] = `Basic ${Buffer.from(`${o.auth.user}:${o.auth.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const options = { method, headers, ca: o.ca, cert: o.cert, key: o.key, agent: false as const };
    const req = url.protocol === 'https:' ? httpsRequest(url, options) : httpRequest(url, { method, headers, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = null;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
      });
    });
    req.end(body);
  });
}
