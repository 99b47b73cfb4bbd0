/**
 * JAAS login configurations (Java's `ConfigFile` grammar): the files REST basic authentication reads,
 *
 *   KafkaConnect {
 *     org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
 *       file="/etc/kafka/connect.password";
 *   };
 *
 * and the single login module of a Kafka client's `sasl.jaas.config`. Entries of login modules, each with a
 * control flag (required, requisite, sufficient, optional) and `name=value` options (values quoted or bare);
 * `//`, `/* *\/` and `#` comments. Where the file is: see `jaasConfigLocation`.
 */
import { readFileSync } from 'node:fs';
import { ConfigException } from '../errors.js';

export type ControlFlag = 'required' | 'requisite' | 'sufficient' | 'optional';

export interface LoginModuleEntry {
  className: string;
  flag: ControlFlag;
  options: Record<string, string>;
}

/** Login modules by entry name (e.g. `KafkaConnect`). */
export type JaasConfig = Map<string, LoginModuleEntry[]>;

type Token = { kind: 'word' | 'string' | 'punct'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (text.startsWith('//', i) || c === '#') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 2;
    } else if ('{};='.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let out = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        out += text[i++];
      }
      if (i >= text.length) throw new Error('unterminated quoted string');
      i++;
      tokens.push({ kind: 'string', text: out });
    } else {
      const m = /^[^\s{};="'#]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Reads tokens of the JAAS grammar; `fail` names what was expected and what was found. */
class JaasReader {
  private i = 0;

  constructor(private readonly tokens: Token[], private readonly source: string) {}

  static of(text: string, source: string): JaasReader {
    try {
      return new JaasReader(tokenize(text), source);
    } catch (e) {
      throw new ConfigException(`${source}: ${(e as Error).message}`);
    }
  }

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  at(text: string): boolean {
    return this.tokens[this.i]?.text === text;
  }

  fail(what: string): never {
    const at = this.tokens[this.i]?.text;
    throw new ConfigException(`${this.source}: expected ${what}${at === undefined ? ' at the end' : ` but found '${at}'`}`);
  }

  expect(text: string): void {
    if (this.tokens[this.i]?.text === text && this.tokens[this.i]?.kind === 'punct') this.i++;
    else this.fail(`'${text}'`);
  }

  word(what: string): string {
    return this.tokens[this.i]?.kind === 'word' ? this.tokens[this.i++]!.text : this.fail(what);
  }

  /** `<LoginModule class> <flag> name=value ... ;` */
  module(): LoginModuleEntry {
    const className = this.word('a login module class');
    const flag = this.word('a control flag').toLowerCase();
    if (!['required', 'requisite', 'sufficient', 'optional'].includes(flag)) {
      throw new ConfigException(`${this.source}: invalid control flag '${flag}' for ${className}`);
    }
    const options: Record<string, string> = {};
    while (!this.at(';')) {
      const key = this.word('an option name or \';\'');
      this.expect('=');
      const value = this.tokens[this.i];
      if (!value || value.kind === 'punct') this.fail('an option value');
      options[key] = value!.text;
      this.i++;
    }
    this.expect(';');
    return { className, flag: flag as ControlFlag, options };
  }
}

/** A JAAS login configuration file: entries `Name { module; ... };`. */
export function parseJaasConfig(text: string, source = 'JAAS configuration'): JaasConfig {
  const r = JaasReader.of(text, source);
  const config: JaasConfig = new Map();
  while (!r.done) {
    const name = r.word('an entry name');
    r.expect('{');
    const modules: LoginModuleEntry[] = [];
    while (!r.at('}')) modules.push(r.module());
    r.expect('}');
    r.expect(';');
    config.set(name, [...(config.get(name) ?? []), ...modules]);
  }
  return config;
}

/**
 * A Kafka client's `sasl.jaas.config`: exactly one login module (`<class> required username="..." ...;`), as
 * Kafka's JaasConfig reads it.
 */
export function parseJaasModule(text: string, source = 'JAAS configuration'): LoginModuleEntry {
  const r = JaasReader.of(text, source);
  if (r.done) r.fail('a login module');
  const module = r.module();
  if (!r.done) throw new ConfigException(`${source}: one login module expected, found more`);
  return module;
}

export function readJaasConfig(path: string): JaasConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigException(`Cannot read the JAAS configuration file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseJaasConfig(text, path);
}

/** The worker key naming the JAAS file (ours; the JVM reads it from a system property instead). */
export const JAAS_CONFIG_FILE_CONFIG = 'rest.basic.auth.jaas.config.file';

/**
 * Where the JAAS file is: the worker key `rest.basic.auth.jaas.config.file`, else the
 * `-Djava.security.auth.login.config=<path>` that users put in `KAFKA_OPTS` for the JVM worker (a leading
 * `=`, Java's "only this file" form, is accepted). Null when neither is set.
 */
export function jaasConfigLocation(props: Readonly<Record<string, string>>, env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const key = props[JAAS_CONFIG_FILE_CONFIG]?.trim();
  if (key) return key;
  const opts = env['KAFKA_OPTS'] ?? '';
  const m = /(?:^|\s)-Djava\.security\.auth\.login\.config==?("[^"]*"|'[^']*'|\S+)/.exec(opts);
  if (!m) return null;
  return m[1]!.replace(/^(["'])(.*)\1$/, '$2');
}
