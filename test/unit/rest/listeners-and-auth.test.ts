/**
 * Pure logic of the REST listeners and security: `listeners` / `admin.listeners` parsing and the advertised
 * protocol (Kafka's RestServer), JAAS files, the users file, Basic credentials, the authenticator's single
 * 401 answer and its internal-request exemptions, where the JAAS file comes from, and the SSL key prefixes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigException } from '../../../src/connect/errors.js';
import { RestError } from '../../../src/connect/herder/types.js';
import { advertisedListener, advertisedProtocol, parseAdminListeners, parseListeners } from '../../../src/connect/rest/listeners.js';
import { basicAuthenticator, basicCredentials, isInternalRequest, readUsersFile, UNAUTHORIZED_MESSAGE } from '../../../src/connect/rest/security/basic-auth.js';
import { jaasConfigLocation, parseJaasConfig } from '../../../src/connect/security/jaas.js';
import { restExtensionAuthenticators } from '../../../src/connect/rest/security/rest-extensions.js';
import { sslValues } from '../../../src/connect/rest/security/ssl-config.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsconnect-auth-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

describe('listeners', () => {
  test('every entry, http and https, hosts empty, named, IPv4, bracketed IPv6', () => {
    assert.deepEqual(parseListeners('http://:8083, https://localhost:8443,HTTP://127.0.0.1:0,https://[::1]:9000'), [
      { protocol: 'http', host: '', port: 8083 },
      { protocol: 'https', host: 'localhost', port: 8443 },
      { protocol: 'http', host: '127.0.0.1', port: 0 },
      { protocol: 'https', host: '::1', port: 9000 },
    ]);
    assert.deepEqual(parseListeners(undefined), [{ protocol: 'http', host: '', port: 8083 }]);
  });

  test('Kafka\'s messages for bad entries', () => {
    assert.throws(() => parseListeners('localhost:8083'), /Listener doesn't have the right format \(protocol:\/\/hostname:port\)\./);
    assert.throws(() => parseListeners('ftp://host:21'), /Listener protocol must be either "http" or "https"\./);
    assert.throws(() => parseListeners(' , '), /at least one URL is expected/);
  });

  test('admin.listeners: unset, blank (disabled), a list', () => {
    assert.equal(parseAdminListeners(undefined), null);
    assert.equal(parseAdminListeners(null), null);
    assert.deepEqual(parseAdminListeners(''), []);
    assert.deepEqual(parseAdminListeners(' '), []);
    assert.deepEqual(parseAdminListeners('https://127.0.0.1:9443'), [{ protocol: 'https', host: '127.0.0.1', port: 9443 }]);
    assert.throws(() => parseAdminListeners('nope'), (e: Error) => e instanceof ConfigException && /admin\.listeners/.test(e.message));
  });

  test('advertised protocol: rest.advertised.listener, else http when any listener is http, else https', () => {
    const mixed = parseListeners('https://a:1,http://b:2');
    assert.equal(advertisedProtocol(mixed), 'http');
    assert.deepEqual(advertisedListener(mixed), { protocol: 'http', host: 'b', port: 2 });
    assert.equal(advertisedProtocol(mixed, { 'rest.advertised.listener': 'HTTPS' }), 'https');
    assert.deepEqual(advertisedListener(mixed, { 'rest.advertised.listener': 'https' }), { protocol: 'https', host: 'a', port: 1 });
    assert.equal(advertisedProtocol(parseListeners('https://a:1')), 'https');
  });
});

describe('JAAS configuration', () => {
  test('the KafkaConnect entry as users write it, with comments, quoted and bare values', () => {
    const jaas = parseJaasConfig(`
      // Kafka Connect REST basic auth
      KafkaConnect {
        org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
          file="/etc/kafka/connect.password" debug=true;
      };
      /* another entry */
      KafkaServer { com.example.Other optional; };
    `);
    assert.deepEqual(jaas.get('KafkaConnect'), [
      { className: 'org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule', flag: 'required', options: { file: '/etc/kafka/connect.password', debug: 'true' } },
    ]);
    assert.deepEqual(jaas.get('KafkaServer'), [{ className: 'com.example.Other', flag: 'optional', options: {} }]);
  });

  test('syntax errors name what was expected', () => {
    assert.throws(() => parseJaasConfig('KafkaConnect { a.B required file="x" }; '), /expected an option name or ';' but found '}'/);
    assert.throws(() => parseJaasConfig('KafkaConnect { a.B mandatory; };'), /invalid control flag 'mandatory'/);
    assert.throws(() => parseJaasConfig('KafkaConnect { a.B required; }'), /expected ';' at the end/);
  });

  test('location: the worker key first, else -Djava.security.auth.login.config in KAFKA_OPTS', () => {
    assert.equal(jaasConfigLocation({ 'rest.basic.auth.jaas.config.file': '/a.conf' }, { KAFKA_OPTS: '-Djava.security.auth.login.config=/b.conf' }), '/a.conf');
    assert.equal(jaasConfigLocation({}, { KAFKA_OPTS: '-Xmx1g -Djava.security.auth.login.config=/b.conf -Dx=y' }), '/b.conf');
    assert.equal(jaasConfigLocation({}, { KAFKA_OPTS: '-Djava.security.auth.login.config=="/c d.conf"' }), '/c d.conf');
    assert.equal(jaasConfigLocation({}, {}), null);
  });
});

describe('basic authentication', () => {
  test('users file: user=password and user: password lines', () => {
    const f = join(dir, 'users.properties');
    writeFileSync(f, '# users\nadmin: admin-secret\nbob=pw=with=equals\n');
    assert.deepEqual([...readUsersFile(f)], [['admin', 'admin-secret'], ['bob', 'pw=with=equals']]);
  });

  test('credentials: Basic (any case), colon required, user non-empty, malformed ignored', () => {
    assert.deepEqual(basicCredentials(basic('u', 'p:q')), { user: 'u', password: 'p:q' });
    assert.deepEqual(basicCredentials(`bAsIc ${Buffer.from('u:').toString('base64')}`), { user: 'u', password: '' });
    assert.equal(basicCredentials(`Basic ${Buffer.from(':p').toString('base64')}`), null);
    assert.equal(basicCredentials(`Bearer abc`), null);
    assert.equal(basicCredentials(`Basic %%%`), null);
    assert.equal(basicCredentials(undefined), null);
  });

  test('one 401 for missing, malformed, unknown user and wrong password; right ones pass; internal requests exempt', () => {
    const users = join(dir, 'u2.properties');
    writeFileSync(users, 'alice=wonderland\n');
    const auth = basicAuthenticator(parseJaasConfig(`KafkaConnect { org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file="${users}"; };`), 'test');
    const rejection = (header: string | undefined) => {
      try {
        auth('GET', '/connectors', header);
      } catch (e) {
        assert.ok(e instanceof RestError);
        return [(e as RestError).status, (e as RestError).message];
      }
      return null;
    };
    const expected = [401, UNAUTHORIZED_MESSAGE];
    assert.deepEqual(rejection(undefined), expected);
    assert.deepEqual(rejection('Basic garbage!'), expected);
    assert.deepEqual(rejection(basic('mallory', 'wonderland')), expected);
    assert.deepEqual(rejection(basic('alice', 'wrong')), expected);
    assert.equal(rejection(basic('alice', 'wonderland')), null);
    assert.doesNotThrow(() => auth('POST', '/connectors/x/tasks', undefined));
    assert.doesNotThrow(() => auth('PUT', '/connectors/x/fence', undefined));
    assert.throws(() => auth('GET', '/connectors/x/tasks', undefined), RestError);
    assert.ok(isInternalRequest('POST', 'connectors/a%2Fb/tasks/'));
  });

  test('an empty users file lets everyone in (Kafka); bad JAAS setups stop the worker', () => {
    const empty = join(dir, 'empty.properties');
    writeFileSync(empty, '');
    const module = 'org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule';
    const auth = basicAuthenticator(parseJaasConfig(`KafkaConnect { ${module} required file="${empty}"; };`), 't');
    assert.doesNotThrow(() => auth('GET', '/', undefined));
    assert.throws(() => basicAuthenticator(parseJaasConfig(`Other { ${module} required file="${empty}"; };`), 't'), /no 'KafkaConnect' login entry/);
    assert.throws(() => basicAuthenticator(parseJaasConfig(`KafkaConnect { com.example.Ldap required; };`), 't'), /not supported here/);
    assert.throws(() => basicAuthenticator(parseJaasConfig(`KafkaConnect { ${module} required; };`), 't'), /Property Credentials file must be specified/);
    assert.throws(() => basicAuthenticator(parseJaasConfig(`KafkaConnect { ${module} required file="${dir}/none"; };`), 't'), /Error loading Property Credentials file/);
  });

  test('rest.extension.classes: the basic auth extension needs a JAAS file; unknown classes fail', () => {
    const ext = { 'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension' };
    assert.deepEqual(restExtensionAuthenticators({}, {}), []);
    assert.throws(() => restExtensionAuthenticators(ext, {}), /needs a JAAS configuration file/);
    assert.throws(() => restExtensionAuthenticators({ 'rest.extension.classes': 'com.example.Ext' }, {}), /Unknown REST extension/);
    const jaas = join(dir, 'connect.jaas');
    const users = join(dir, 'u3.properties');
    writeFileSync(users, 'u=p\n');
    writeFileSync(jaas, `KafkaConnect { org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file="${users}"; };`);
    const [auth] = restExtensionAuthenticators(ext, { KAFKA_OPTS: `-Djava.security.auth.login.config=${jaas}` });
    assert.doesNotThrow(() => auth!('GET', '/', basic('u', 'p')));
    assert.throws(() => auth!('GET', '/', basic('u', 'x')), RestError);
  });
});

describe('SSL keys', () => {
  test('all or nothing: any listeners.https. key means only prefixed keys count', () => {
    const plain = { 'ssl.keystore.location': '/plain.p12', 'ssl.keystore.password': 'a', 'ssl.client.auth': 'required' };
    assert.deepEqual(sslValues(plain, 'listeners.https.'), plain);
    const both = { ...plain, 'listeners.https.ssl.keystore.location': '/https.p12' };
    assert.deepEqual(sslValues(both, 'listeners.https.'), { 'ssl.keystore.location': '/https.p12' });
    assert.deepEqual(sslValues({ ...both, 'admin.listeners.https.ssl.keystore.type': 'PEM' }, 'admin.listeners.https.'), { 'ssl.keystore.type': 'PEM' });
  });
});
