/**
 * Kafka's predicates (`org.apache.kafka.connect.transforms.predicates`). Negation (`negate=true` on the
 * transform) is applied by the runtime's transformation chain, not here.
 */
import { ConfigDef, invalid, Validators } from '../../connect/api/config-def.js';
import type { Predicate } from '../../connect/api/transformation.js';
import type { AnyRecord } from '../../connect/data/records.js';
import { parseConfig } from '../util/key-value.js';
import { compileJavaRegex } from '../util/java-regex.js';
import { nonEmptyStringOrNull } from '../util/validators.js';

export const TOPIC_NAME_MATCHES_CONFIG_DEF = new ConfigDef().define({
  name: 'pattern',
  type: 'STRING',
  validator: Validators.compose(nonEmptyStringOrNull, {
    ensureValid(name, value) {
      try {
        compileJavaRegex(String(value), true);
      } catch (e) {
        throw invalid(name, value, `entry must be a Java-compatible regular expression: ${(e as Error).message}`);
      }
    },
    toString: () => 'Java-compatible regular expression',
  }),
  importance: 'MEDIUM',
  documentation: 'A Java regular expression for matching against the name of a record\'s topic.',
});

/** True when the record's whole topic name matches `pattern`. */
export class TopicNameMatches implements Predicate {
  private pattern = /^$/;

  configure(configs: Record<string, string>): void {
    this.pattern = compileJavaRegex(parseConfig(TOPIC_NAME_MATCHES_CONFIG_DEF, configs).getString('pattern')!, true);
  }
  test(record: AnyRecord): boolean {
    return record.topic !== null && record.topic !== undefined && this.pattern.test(record.topic);
  }
  config(): ConfigDef {
    return TOPIC_NAME_MATCHES_CONFIG_DEF;
  }
  close(): void {}
}

export const HAS_HEADER_KEY_CONFIG_DEF = new ConfigDef().define({
  name: 'name',
  type: 'STRING',
  validator: nonEmptyStringOrNull,
  importance: 'MEDIUM',
  documentation: 'The header name.',
});

/** True when the record has at least one header with key `name`. */
export class HasHeaderKey implements Predicate {
  private name = '';

  configure(configs: Record<string, string>): void {
    this.name = parseConfig(HAS_HEADER_KEY_CONFIG_DEF, configs).getString('name')!;
  }
  test(record: AnyRecord): boolean {
    for (const h of record.headers) if (h.key === this.name) return true;
    return false;
  }
  config(): ConfigDef {
    return HAS_HEADER_KEY_CONFIG_DEF;
  }
  close(): void {}
}

const EMPTY = new ConfigDef();

/** True when the record's value is null. */
export class RecordIsTombstone implements Predicate {
  configure(): void {}
  test(record: AnyRecord): boolean {
    return record.value === null || record.value === undefined;
  }
  config(): ConfigDef {
    return EMPTY;
  }
  close(): void {}
}
