/**
 * Throwaway certificates for tests of TLS against real servers, made with the `openssl` command (and `keytool`
 * for Java truststores): a CA, leaf certificates signed by it (server: subjectAltName localhost and
 * 127.0.0.1; client: CN = user name), PKCS#12 bundles. EC P-256 keys, so generating them takes milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertFiles {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (unencrypted PKCS#8). */
  key: string;
}

function run(cmd: string, args: string[], cwd: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`${cmd} ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}. TLS tests need \`${cmd}\` (apt-get install openssl default-jre-headless).`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA: `<dir>/<name>.crt` and `<name>.key`. */
export function makeCa(dir: string, name: string, commonName = `tsconnect test CA ${name}`): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  run('openssl', ['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '3650', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  chmodSync(key, 0o600);
  return { cert, key };
}

/**
 * A certificate signed by `ca`. `sans`: subjectAltName entries (`DNS:localhost`, `IP:127.0.0.1`); server
 * certificates need them for host name checks, client certificates carry the user as CN.
 */
export function issueCert(ca: CertFiles, dir: string, name: string, commonName: string, sans: string[] = []): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
    '',
  ].join('\n'));
  run('openssl', ['req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${commonName}`], dir);
  run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '3650', '-extfile', ext], dir);
  chmodSync(key, 0o600);
  return { cert, key };
}

/** A PKCS#12 keystore (key, certificate and the CA) as OpenSSL 3 writes it (AES-256, PBKDF2). */
export function pkcs12Keystore(dir: string, name: string, leaf: CertFiles, ca: CertFiles, password: string): string {
  const out = join(dir, `${name}.p12`);
  run('openssl', ['pkcs12', '-export', '-in', leaf.cert, '-inkey', leaf.key, '-certfile', ca.cert, '-name', name, '-out', out, '-passout', `pass:${password}`], dir);
  return out;
}

/** A Java PKCS#12 truststore holding `ca` as a trusted certificate entry, made by `keytool`. */
export function javaTruststore(dir: string, name: string, ca: CertFiles, password: string, storetype: 'PKCS12' | 'JKS' = 'PKCS12'): string {
  const out = join(dir, `${name}.${storetype === 'JKS' ? 'jks' : 'p12'}`);
  run('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', ca.cert, '-keystore', out, '-storetype', storetype, '-storepass', password], dir);
  return out;
}
