/**
 * Config providers: `${file:...}`, `${directory:...}`, `${env:...}` resolution as Kafka's ConfigTransformer
 * does it, `allowed.paths` and `allowlist.pattern`, the strict mode's error naming the key but no value,
 * the reverse transform of task configs, and masking for logs.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigDef } from '../../../src/connect/api/config-def.js';
import {
  ConfigTransformer,
  DirectoryConfigProvider,
  EnvVarConfigProvider,
  FileConfigProvider,
  configProvidersFrom,
  maskConfig,
  passwordKeys,
  resolveWorkerConfig,
  validationTransform,
  variablesOf,
  ConfigResolutionError,
} from '../../../src/connect/config-providers/index.js';
import { ConfigException } from '../../../src/connect/errors.js';

let dir: string;
const SECRET = 's3cr3t-Pa55';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsconnect-providers-'));
  writeFileSync(join(dir, 'db.properties'), `password=${SECRET}\nuser: alice\nurl=jdbc:postgresql://db:5432/x\n`);
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets', 'db-password'), SECRET);
  mkdirSync(join(dir, 'secrets', 'nested'));
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'x.properties'), 'k=v\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function transformer(props: Record<string, string>, env: Record<string, string> = {}): ConfigTransformer {
  const providers = configProvidersFrom(props);
  // The env provider reads a fixed environment in these tests.
  for (const [name, p] of providers) {
    if (p instanceof EnvVarConfigProvider) {
      const fixed = new EnvVarConfigProvider(env);
      const prefix = `config.providers.${name}.param.`;
      fixed.configure(Object.fromEntries(Object.entries(props).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v])));
      providers.set(name, fixed);
    }
  }
  return new ConfigTransformer(providers);
}

const ALL = {
  'config.providers': 'file,dir,env',
  'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
  'config.providers.dir.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
  'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
};

describe('variable syntax', () => {
  test('${provider:path:key} and ${provider:key} (empty path), as Kafka\'s DEFAULT_PATTERN', () => {
    assert.deepEqual(variablesOf('${file:/a/b.properties:pw}'), [{ provider: 'file', path: '/a/b.properties', key: 'pw', text: '${file:/a/b.properties:pw}' }]);
    assert.deepEqual(variablesOf('${env:HOME}'), [{ provider: 'env', path: '', key: 'HOME', text: '${env:HOME}' }]);
    // The path ends at the first colon after the provider; the rest is the key.
    assert.deepEqual(variablesOf('x${file:/p:a:b}y').map((v) => [v.path, v.key]), [['/p', 'a:b']]);
    assert.equal(variablesOf('${nocolon}').length, 0);
  });
});

describe('resolution', () => {
  test('file, directory and env values, several per value, other values untouched', () => {
    const t = transformer(ALL, { DB_USER: 'bob' });
    const out = t.transform(
      {
        'database.password': `\${file:${dir}/db.properties:password}`,
        'database.user': '${env:DB_USER}',
        url: `prefix-\${file:${dir}/db.properties:user}-\${dir:${dir}/secrets:db-password}`,
        plain: 'no variables ${here}',
        nothing: null,
      },
      true,
    );
    assert.deepEqual(out, {
      'database.password': SECRET,
      'database.user': 'bob',
      url: `prefix-alice-${SECRET}`,
      plain: 'no variables ${here}',
      nothing: null,
    });
  });

  test('a provider that is not configured leaves the variable as written (Kafka)', () => {
    const t = transformer(ALL);
    assert.deepEqual(t.transform({ a: '${vault:secret/db:pw}' }, true), { a: '${vault:secret/db:pw}' });
  });

  test('strict: a missing key is a ConfigException naming config key, provider, path and key, never a value', () => {
    const t = transformer(ALL);
    const raw = { 'database.password': `\${file:${dir}/db.properties:passwd}`, other: `\${file:${dir}/db.properties:password}` };
    assert.throws(
      () => t.transform(raw, true),
      (e: Error) => {
        assert.ok(e instanceof ConfigException);
        assert.match(e.message, /'database\.password'/);
        assert.match(e.message, /config provider 'file'/);
        assert.ok(e.message.includes(`path '${dir}/db.properties'`));
        assert.match(e.message, /key 'passwd'/);
        assert.match(e.message, /the key does not exist/);
        assert.ok(!e.message.includes(SECRET));
        return true;
      },
    );
    // Lenient (worker configs): left as written.
    assert.equal(t.transform(raw, false)['database.password'], raw['database.password']);
  });

  test('a missing file is a ConfigException with Kafka\'s message', () => {
    const t = transformer(ALL);
    assert.throws(() => t.transform({ a: `\${file:${dir}/nope.properties:k}` }, true), { message: `Could not read properties from file ${dir}/nope.properties` });
  });

  test('directory provider: regular files only; a sub-directory or missing directory gives nothing', () => {
    const t = transformer(ALL);
    assert.throws(() => t.transform({ a: `\${dir:${dir}/secrets:nested}` }, true), /the key does not exist/);
    assert.throws(() => t.transform({ a: `\${dir:${dir}/missing:x}` }, true), /the path is not a directory/);
  });

  test('allowed.paths: paths outside are refused (and said so), inside resolve; relative or missing allowed paths fail', () => {
    const t = transformer({ ...ALL, 'config.providers.file.param.allowed.paths': join(dir, 'other'), 'config.providers.dir.param.allowed.paths': `${dir}/secrets` });
    assert.equal(t.transform({ a: `\${file:${dir}/other/x.properties:k}` }, true)['a'], 'v');
    assert.throws(() => t.transform({ a: `\${file:${dir}/db.properties:password}` }, true), /not allowed by allowed\.paths/);
    // `..` cannot escape.
    assert.throws(() => t.transform({ a: `\${file:${dir}/other/../db.properties:password}` }, true), /not allowed/);
    assert.equal(t.transform({ a: `\${dir:${dir}/secrets:db-password}` }, true)['a'], SECRET);
    const p = new DirectoryConfigProvider();
    assert.throws(() => p.configure({ 'allowed.paths': 'relative/dir' }), /is not absolute/);
    assert.throws(() => p.configure({ 'allowed.paths': join(dir, 'does-not-exist') }), /does not exist/);
    // A sibling whose name starts like the allowed one is not inside it.
    const f = new FileConfigProvider();
    f.configure({ 'allowed.paths': join(dir, 'other') });
    assert.equal(f.explainPath(`${dir}/other2/x`), 'the path is not allowed by allowed.paths');
    assert.equal(f.explainPath(''), 'a file path is required');
  });

  test('env provider: allowlist.pattern matches whole names; a path is refused', () => {
    const t = transformer({ ...ALL, 'config.providers.env.param.allowlist.pattern': 'DB_.*' }, { DB_PW: 'x', HOME_SECRET: 'y' });
    assert.equal(t.transform({ a: '${env:DB_PW}' }, true)['a'], 'x');
    assert.throws(() => t.transform({ a: '${env:HOME_SECRET}' }, true), (e: Error) => /allowlist\.pattern/.test(e.message) && !e.message.includes('y\''));
    assert.throws(() => t.transform({ a: '${env:some/path:DB_PW}' }, true), /Path is not supported for EnvVarConfigProvider, invalid value 'some\/path'/);
  });

  test('providers: aliases, unknown classes, a listed name without a class is skipped', () => {
    const p = configProvidersFrom({ 'config.providers': 'a,b,c', 'config.providers.a.class': 'FileConfigProvider', 'config.providers.b.class': 'Directory' });
    assert.deepEqual([...p.keys()], ['a', 'b']);
    assert.throws(() => configProvidersFrom({ 'config.providers': 'v', 'config.providers.v.class': 'com.example.VaultConfigProvider' }), /Unknown config provider class/);
  });

  test('worker config: resolved leniently, provider declarations kept as written', () => {
    const props = { ...ALL, 'config.providers.file.param.allowed.paths': dir, 'ssl.keystore.password': `\${file:${dir}/db.properties:password}`, x: `\${file:${dir}/db.properties:missing}` };
    const { props: out, transformer: t } = resolveWorkerConfig(props);
    assert.equal(out['ssl.keystore.password'], SECRET);
    assert.equal(out['x'], props.x);
    assert.equal(out['config.providers.file.param.allowed.paths'], dir);
    assert.ok(t);
    assert.equal(resolveWorkerConfig({ a: '${file:/x:y}' }).transformer, null);
  });

  test('validation hook: an unresolvable variable is a 400 ConfigResolutionError', () => {
    const hook = validationTransform(transformer(ALL));
    assert.throws(() => hook({ a: `\${file:${dir}/db.properties:nope}` }), (e: unknown) => e instanceof ConfigResolutionError && (e as ConfigResolutionError).status === 400);
  });
});

describe('task configs and logs', () => {
  test('reverse transform: task keys set through a variable get the variable back', () => {
    const raw = { file: '${file:/x.properties:input}', topic: 't', 'database.password': '${env:PW}' };
    const tasks: Record<string, string>[] = [{ file: '/resolved/in.txt', topic: 't', extra: '1' }, { 'database.password': 'secret', topic: 't' }];
    assert.deepEqual(ConfigTransformer.reverseTransform(raw, tasks), [
      { file: '${file:/x.properties:input}', topic: 't', extra: '1' },
      { 'database.password': '${env:PW}', topic: 't' },
    ]);
  });

  test('maskConfig hides PASSWORD keys, provider-set values and secret-looking names', () => {
    const def = new ConfigDef().define({ name: 'conn.pw', type: 'PASSWORD', importance: 'HIGH', documentation: '' });
    const masked = maskConfig(
      { 'conn.pw': 'a', 'database.password': 'b', 'x.from.provider': '${file:/f:k}', 'sasl.jaas.config': 'c', 'client.secret': 'd', 'database.user': 'alice', n: null },
      passwordKeys(def),
    );
    assert.deepEqual(masked, {
      'conn.pw': '[hidden]',
      'database.password': '[hidden]',
      'x.from.provider': '[hidden]',
      'sasl.jaas.config': '[hidden]',
      'client.secret': '[hidden]',
      'database.user': 'alice',
      n: null,
    });
  });
});
