/** `RegexRouter` and `TimestampRouter` (`org.apache.kafka.connect.transforms`): rewrite the topic. */
import { ConfigDef, invalid } from '../connect/api/config-def.js';
import type { Transformation } from '../connect/api/transformation.js';
import type { AnyRecord } from '../connect/data/records.js';
import { DataException } from '../connect/errors.js';
import { parseConfig } from './util/key-value.js';
import { compileJavaRegex, expandJavaReplacement } from './util/java-regex.js';
import { SimpleDateFormat } from './util/simple-date-format.js';
import { LruCache } from './util/lru.js';

export const javaRegexValidator = {
  ensureValid(name: string, value: unknown) {
    try {
      compileJavaRegex(String(value ?? ''), true);
    } catch (e) {
      throw invalid(name, value, `Invalid regex: ${(e as Error).message}`);
    }
  },
  toString: () => 'valid regex',
};

export const REGEX_ROUTER_CONFIG_DEF = new ConfigDef()
  .define({ name: 'regex', type: 'STRING', validator: javaRegexValidator, importance: 'HIGH', documentation: 'Regular expression to use for matching.' })
  .define({ name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' });

export class RegexRouter implements Transformation {
  private regex = /^$/;
  private replacement = '';
  private readonly cache = new LruCache<string, string>(16);

  configure(configs: Record<string, string>): void {
    const c = parseConfig(REGEX_ROUTER_CONFIG_DEF, configs);
    this.regex = compileJavaRegex(c.getString('regex')!, true);
    this.replacement = c.getString('replacement')!;
    this.cache.clear();
  }

  apply(record: AnyRecord): AnyRecord {
    const topic = this.cache.getOrCompute(record.topic, (t) => {
      const m = this.regex.exec(t);
      return m ? expandJavaReplacement(this.replacement, m) : t;
    });
    return topic === record.topic ? record : record.newRecord({ topic });
  }

  config(): ConfigDef {
    return REGEX_ROUTER_CONFIG_DEF;
  }
  close(): void {}
}

export const TIMESTAMP_ROUTER_CONFIG_DEF = new ConfigDef()
  .define({ name: 'topic.format', type: 'STRING', defaultValue: '${topic}-${timestamp}', importance: 'HIGH', documentation: 'Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.' })
  .define({ name: 'timestamp.format', type: 'STRING', defaultValue: 'yyyyMMdd', importance: 'HIGH', documentation: 'Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.' });

export class TimestampRouter implements Transformation {
  private topicFormat = '${topic}-${timestamp}';
  private format = new SimpleDateFormat('yyyyMMdd');

  configure(configs: Record<string, string>): void {
    const c = parseConfig(TIMESTAMP_ROUTER_CONFIG_DEF, configs);
    this.topicFormat = c.getString('topic.format')!;
    this.format = new SimpleDateFormat(c.getString('timestamp.format')!);
  }

  apply(record: AnyRecord): AnyRecord {
    if (record.timestamp === null) throw new DataException(`Timestamp missing on record: ${describe(record)}`);
    const ts = this.format.format(new Date(record.timestamp));
    const topic = this.topicFormat.replaceAll('${topic}', record.topic).replaceAll('${timestamp}', ts);
    return record.newRecord({ topic });
  }

  config(): ConfigDef {
    return TIMESTAMP_ROUTER_CONFIG_DEF;
  }
  close(): void {}
}

function describe(record: AnyRecord): string {
  return `${record.constructor.name}{topic='${record.topic}', kafkaPartition=${record.kafkaPartition}, timestamp=null}`;
}
