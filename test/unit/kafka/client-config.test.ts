/**
 * Java client security keys mapped onto kafkajs options: SASL from sasl.mechanism + sasl.jaas.config, TLS from
 * ssl.* (PEM, PKCS12 key and trust stores, JKS refused), and passwords kept out of every message. The stores
 * are made with `openssl` in a temp directory (no server involved).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { jaasOptions, kafkaConfig, tlsOptions } from '../../../src/connect/topics/kafka/client-config.js';
import { ConfigException } from '../../../src/connect/errors.js';
import { type CertFiles, issueCert, makeCa, pkcs12Keystore } from '../../../src/testing/tls-certs.js';

const JAAS_PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr\\"et";';

describe('Kafka client security config', () => {
  let dir: string;
  let ca: CertFiles;
  let client: CertFiles;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsconnect-client-config-'));
    ca = makeCa(dir, 'ca');
    client = issueCert(ca, dir, 'client', 'client');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const sameCert = (pem: unknown, file: string) => {
    const body = (p: string) => p.replace(/-----[A-Z ]+-----|\s/g, '');
    assert.equal(body(String(pem)), body(readFileSync(file, 'utf8')));
  };

  test('PLAINTEXT has neither ssl nor sasl', () => {
    const c = kafkaConfig('127.0.0.1:9092', 'x', {});
    assert.equal(c.ssl, undefined);
    assert.equal(c.sasl, undefined);
  });

  test('SASL_PLAINTEXT with PLAIN and SASL_SSL with SCRAM take the credentials from the JAAS entry', () => {
    const plain = kafkaConfig('h:1', 'x', { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': JAAS_PLAIN });
    assert.deepEqual(plain.sasl, { mechanism: 'plain', username: 'alice', password: 's3cr"et' });
    assert.equal(plain.ssl, undefined);
    const scram = kafkaConfig('h:1', 'x', {
      'security.protocol': 'sasl_ssl',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=bob\n  password="p=w;d";',
    });
    assert.deepEqual(scram.sasl, { mechanism: 'scram-sha-512', username: 'bob', password: 'p=w;d' });
    assert.deepEqual(scram.ssl, {}, 'TLS with the system CAs and host name checks');
  });

  test('jaasOptions reads quoted (with escapes) and bare values; a malformed entry is refused without quoting it', () => {
    assert.deepEqual(Object.fromEntries(jaasOptions('M required a="x y" b=z c="q\\\\r";')), { a: 'x y', b: 'z', c: 'q\\r' });
    for (const bad of ['username="u" password="topsecret";', 'M required password="topsecret"', 'M required password="topsecret"; N required x=1;']) {
      assert.throws(() => jaasOptions(bad), (e: unknown) => e instanceof ConfigException && /sasl\.jaas\.config/.test(e.message) && !e.message.includes('topsecret'), bad);
    }
  });

  test('unsupported mechanisms and incomplete JAAS entries are refused without showing the JAAS text', () => {
    assert.throws(() => kafkaConfig('h:1', 'x', { 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': JAAS_PLAIN }), /GSSAPI \(Kerberos.*supported: PLAIN/);
    assert.throws(() => kafkaConfig('h:1', 'x', { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER', 'sasl.jaas.config': JAAS_PLAIN }), /OAUTHBEARER is not available/);
    assert.throws(() => kafkaConfig('h:1', 'x', { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' }), /sasl\.jaas\.config.*Required/);
    const e = (() => {
      try {
        kafkaConfig('h:1', 'x', { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'M required password="topsecret";' });
      } catch (err) {
        return err as Error;
      }
      return null;
    })();
    assert.ok(e instanceof ConfigException);
    assert.match(e.message, /must give username/);
    assert.doesNotMatch(e.message, /topsecret/);
  });

  test('PEM truststore: file (whatever ssl.truststore.type says) or inline certificates', () => {
    sameCert(tlsOptions({ 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': ca.cert }).ca, ca.cert);
    const pem = readFileSync(ca.cert, 'utf8');
    assert.equal(tlsOptions({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': pem }).ca, pem);
  });

  test('PKCS12 truststore: encrypted (PBES2/AES) and unencrypted certificate bags', () => {
    const enc = join(dir, 'ts-enc.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', ca.cert, '-out', enc, '-passout', 'pass:trust-pw']);
    sameCert(tlsOptions({ 'ssl.truststore.type': 'PKCS12', 'ssl.truststore.location': enc, 'ssl.truststore.password': 'trust-pw' }).ca, ca.cert);
    const plain = join(dir, 'ts-plain.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', ca.cert, '-out', plain, '-certpbe', 'NONE', '-nomac', '-passout', 'pass:']);
    sameCert(tlsOptions({ 'ssl.truststore.location': plain }).ca, ca.cert);
  });

  test('a wrong truststore password is named, never shown', () => {
    const enc = join(dir, 'ts-enc2.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', ca.cert, '-out', enc, '-passout', 'pass:trust-pw']);
    assert.throws(
      () => tlsOptions({ 'ssl.truststore.location': enc, 'ssl.truststore.password': 'guess-pw' }),
      (e: Error) => /wrong ssl\.truststore\.password/.test(e.message) && !e.message.includes('guess-pw'),
    );
    assert.throws(() => tlsOptions({ 'ssl.truststore.location': enc }), /set ssl\.truststore\.password/);
  });

  test('JKS and JCEKS files are refused with the keytool command that converts them', () => {
    const jks = join(dir, 'trust.jks');
    writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    assert.throws(() => tlsOptions({ 'ssl.truststore.location': jks, 'ssl.truststore.password': 'x' }), /JKS keystores are Java-only.*keytool -importkeystore -srckeystore .*trust\.jks -srcstoretype JKS -destkeystore .*trust\.p12 -deststoretype PKCS12/);
    const jceks = join(dir, 'key.jceks');
    writeFileSync(jceks, Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2]));
    assert.throws(() => tlsOptions({ 'ssl.keystore.location': jceks }), /ssl\.keystore\.location.*JCEKS keystores are Java-only/);
  });

  test('PKCS12 keystore goes to pfx; a wrong password fails at configuration time, unshown', () => {
    const p12 = pkcs12Keystore(dir, 'client', client, ca, 'ks-pw');
    const opts = tlsOptions({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': p12, 'ssl.keystore.password': 'ks-pw' });
    assert.ok(Buffer.isBuffer(opts.pfx));
    assert.equal(opts.passphrase, 'ks-pw');
    assert.throws(
      () => tlsOptions({ 'ssl.keystore.location': p12, 'ssl.keystore.password': 'nope-pw' }),
      (e: Error) => /ssl\.keystore\.location.*wrong ssl\.keystore\.password/.test(e.message) && !e.message.includes('nope-pw'),
    );
  });

  test('PEM keystore: a file with key and chain, or the inline values', () => {
    const file = join(dir, 'keystore.pem');
    writeFileSync(file, readFileSync(client.key, 'utf8') + readFileSync(client.cert, 'utf8') + readFileSync(ca.cert, 'utf8'));
    const opts = tlsOptions({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': file });
    assert.match(String(opts.key), /^-----BEGIN PRIVATE KEY-----/);
    assert.equal((String(opts.cert).match(/BEGIN CERTIFICATE/g) ?? []).length, 2, 'the chain: leaf and CA');
    const inline = tlsOptions({ 'ssl.keystore.key': readFileSync(client.key, 'utf8'), 'ssl.keystore.certificate.chain': readFileSync(client.cert, 'utf8') });
    assert.match(String(inline.key), /PRIVATE KEY/);
    const onlyCert = join(dir, 'only-cert.pem');
    writeFileSync(onlyCert, readFileSync(client.cert, 'utf8'));
    assert.throws(() => tlsOptions({ 'ssl.keystore.location': onlyCert }), /must hold the private key/);
  });

  test('host name checks: on by default (https), off with an empty ssl.endpoint.identification.algorithm', () => {
    assert.equal(tlsOptions({}).checkServerIdentity, undefined);
    const off: ConnectionOptions = tlsOptions({ 'ssl.endpoint.identification.algorithm': '' });
    assert.equal(typeof off.checkServerIdentity, 'function');
    assert.equal(off.checkServerIdentity!('example.com', {} as never), undefined);
  });

  test('ssl.enabled.protocols bounds the TLS versions', () => {
    const o = tlsOptions({ 'ssl.enabled.protocols': 'TLSv1.3, TLSv1.2' });
    assert.equal(o.minVersion, 'TLSv1.2');
    assert.equal(o.maxVersion, 'TLSv1.3');
    assert.throws(() => tlsOptions({ 'ssl.enabled.protocols': 'SSLv3' }), /ssl\.enabled\.protocols/);
  });

  test('an unknown security.protocol is refused', () => {
    assert.throws(() => kafkaConfig('h:1', 'x', { 'security.protocol': 'TLS' }), /Expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL/);
  });
});
