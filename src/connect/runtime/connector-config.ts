/**
 * The framework configuration of every connector: Kafka Connect's `ConnectorConfig`, `SinkConnectorConfig` and
 * `SourceConnectorConfig` (keys, types, defaults, documentation, groups and validators as in Kafka 3.9/trunk),
 * the enrichment with `transforms.<alias>.*` / `predicates.<alias>.*` keys of the configured SMT and predicate
 * classes (`ConnectorConfig.enrich`), and the parsing of a connector config into transformation stages, so that
 * validation and the runtime read `transforms` with the same code.
 */
import {
  ConfigDef,
  invalid,
  parseType,
  type ConfigKey,
  type ConfigKeyInit,
  type Validator,
} from '../api/config-def.js';
import type { PluginType } from '../api/plugin.js';
import type { Predicate, Transformation } from '../api/transformation.js';
import { ConfigException, ConnectException } from '../errors.js';
import type { PluginRegistry } from './plugins.js';

export const COMMON_GROUP = 'Common';
export const TRANSFORMS_GROUP = 'Transforms';
export const PREDICATES_GROUP = 'Predicates';
export const ERROR_GROUP = 'Error Handling';
export const TOPIC_CREATION_GROUP = 'Topic Creation';
export const EXACTLY_ONCE_SUPPORT_GROUP = 'Exactly Once Support';
export const OFFSETS_TOPIC_GROUP = 'offsets.topic';

export const NAME_CONFIG = 'name';
export const CONNECTOR_CLASS_CONFIG = 'connector.class';
export const TASKS_MAX_CONFIG = 'tasks.max';
export const TASKS_MAX_ENFORCE_CONFIG = 'tasks.max.enforce';
export const KEY_CONVERTER_CLASS_CONFIG = 'key.converter';
export const VALUE_CONVERTER_CLASS_CONFIG = 'value.converter';
export const HEADER_CONVERTER_CLASS_CONFIG = 'header.converter';
export const TRANSFORMS_CONFIG = 'transforms';
export const PREDICATES_CONFIG = 'predicates';
export const CONFIG_RELOAD_ACTION_CONFIG = 'config.action.reload';
export const ERRORS_RETRY_TIMEOUT_CONFIG = 'errors.retry.timeout';
export const ERRORS_RETRY_MAX_DELAY_CONFIG = 'errors.retry.delay.max.ms';
export const ERRORS_TOLERANCE_CONFIG = 'errors.tolerance';
export const ERRORS_LOG_ENABLE_CONFIG = 'errors.log.enable';
export const ERRORS_LOG_INCLUDE_MESSAGES_CONFIG = 'errors.log.include.messages';
export const PRODUCER_OVERRIDES_PREFIX = 'producer.override.';
export const CONSUMER_OVERRIDES_PREFIX = 'consumer.override.';
export const ADMIN_OVERRIDES_PREFIX = 'admin.override.';
export const PREDICATES_PREFIX = 'predicates.';

export const TOPICS_CONFIG = 'topics';
export const TOPICS_REGEX_CONFIG = 'topics.regex';
export const DLQ_TOPIC_NAME_CONFIG = 'errors.deadletterqueue.topic.name';
export const DLQ_TOPIC_REPLICATION_FACTOR_CONFIG = 'errors.deadletterqueue.topic.replication.factor';
export const DLQ_CONTEXT_HEADERS_ENABLE_CONFIG = 'errors.deadletterqueue.context.headers.enable';

export const TOPIC_CREATION_PREFIX = 'topic.creation.';
export const TOPIC_CREATION_GROUPS_CONFIG = 'topic.creation.groups';
export const EXACTLY_ONCE_SUPPORT_CONFIG = 'exactly.once.support';
export const TRANSACTION_BOUNDARY_CONFIG = 'transaction.boundary';
export const TRANSACTION_BOUNDARY_INTERVAL_CONFIG = 'transaction.boundary.interval.ms';
export const OFFSETS_TOPIC_CONFIG = 'offsets.storage.topic';

const PREDICATE_CONFIG = 'predicate';
const NEGATE_CONFIG = 'negate';

const CONVERTER_DOC = (what: string): string =>
  'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.' +
  ` This controls the format of the ${what} in messages written to or read from Kafka, and since this is` +
  ' independent of connectors it allows any connector to work with any serialization format.' +
  ' Examples of common formats include JSON and Avro.';

const HEADER_CONVERTER_DOC =
  'HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.' +
  ' This controls the format of the header values in messages written to or read from Kafka, and since this is' +
  ' independent of connectors it allows any connector to work with any serialization format.' +
  ' Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize' +
  ' header values to strings and deserialize them by inferring the schemas.';

const DOCS = {
  name: 'Globally unique name to use for this connector.',
  connectorClass:
    'Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. ' +
    'If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name, ' +
    ' or use "FileStreamSink" or "FileStreamSinkConnector" to make the configuration a bit shorter',
  tasksMax: 'Maximum number of tasks to use for this connector.',
  tasksMaxEnforce:
    '(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. ' +
    'By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. ' +
    'If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of ' +
    'tasks that exceed the tasks.max property will be allowed to run. ' +
    'This property is deprecated and will be removed in an upcoming major release.',
  transforms: 'Aliases for the transformations to be applied to records.',
  predicates: 'Aliases for the predicates used by transformations.',
  reload:
    'The action that Connect should take on the connector when changes in external ' +
    "configuration providers result in a change in the connector's configuration properties. " +
    "A value of 'none' indicates that Connect will do nothing. " +
    "A value of 'restart' indicates that Connect should restart/reload the connector with the " +
    'updated configuration properties.' +
    'The restart may actually be scheduled in the future if the external configuration provider ' +
    'indicates that a configuration value will expire in the future.',
  retryTimeout:
    'The maximum duration in milliseconds that a failed operation ' +
    'will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
  retryMaxDelay:
    'The maximum duration in milliseconds between consecutive retry attempts. ' +
    'Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.',
  tolerance:
    "Behavior for tolerating errors during connector operation. 'none' is the default value " +
    "and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
  logEnable:
    'If true, write each error and the details of the failed operation and problematic record ' +
    "to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
  logIncludeMessages:
    'Whether to include in the log the Connect record that resulted in a failure. ' +
    'For sink records, the topic, partition, offset, and timestamp will be logged. ' +
    'For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, ' +
    'and source offset will be logged. ' +
    "This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.",
  topics: 'List of topics to consume, separated by commas',
  topicsRegex:
    'Regular expression giving topics to consume. ' +
    'Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. ' +
    'Only one of topics or topics.regex should be specified.',
  dlqTopic:
    'The name of the topic to be used as the dead letter queue (DLQ) for messages that ' +
    'result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, ' +
    'which means that no messages are to be recorded in the DLQ.',
  dlqReplication: "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
  dlqHeaders:
    'If true, add headers containing error context to the messages ' +
    'written to the dead letter queue. To avoid clashing with headers from the original record, all error context header ' +
    'keys, all error context header keys will start with <code>__connect.errors.</code>',
  topicCreationGroups: 'Groups of configurations for topics created by source connectors',
  exactlyOnce:
    'Permitted values are requested, required. ' +
    'If set to "required", forces a preflight check for the connector to ensure that it can provide exactly-once semantics ' +
    'with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to ' +
    'Connect that they support this; in that case, documentation for the connector should be consulted carefully before ' +
    'creating it, and the value for this property should be set to "requested". ' +
    'Additionally, if the value is set to "required" but the worker that performs preflight validation does not have ' +
    'exactly-once support enabled for source connectors, requests to create or validate the connector will fail.',
  transactionBoundary:
    'Permitted values are: poll, interval, connector. ' +
    "If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from " +
    "this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that " +
    'not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with ' +
    "this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.",
  transactionInterval:
    "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. " +
    "If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different " +
    'transaction.boundary is specified.',
  offsetsTopic:
    'The name of a separate offsets topic to use for this connector. ' +
    'If empty or not specified, the worker’s global offsets topic name will be used. ' +
    'If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector ' +
    "(which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer " +
    'has been overridden from the worker\'s). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.',
};

// ---------------------------------------------------------------------------------------------------------
// Validators with Kafka's wording (the shared Validators differ on null handling and message order).

/** `ConfigDef.Range.atLeast`: null is an error ("Value must be non-null"), as in Kafka. */
function atLeast(min: number): Validator {
  return {
    ensureValid(name, value) {
      if (value === null || value === undefined) throw invalid(name, null, 'Value must be non-null');
      if ((value as number) < min) throw invalid(name, value, `Value must be at least ${min}`);
    },
    toString: () => `[${min},...]`,
  };
}

/** `ConfigDef.ValidString.in` (case-sensitive; null is not among the choices). */
function validString(...allowed: string[]): Validator {
  return {
    ensureValid(name, value) {
      if (!allowed.includes(value as string)) throw invalid(name, value, `String must be one of: ${allowed.join(', ')}`);
    },
    toString: () => `[${allowed.join(', ')}]`,
  };
}

/** `CaseInsensitiveValidString.in`; `javaOrder` is the iteration order of Kafka's HashSet of the upper-cased choices. */
function caseInsensitiveValidString(javaOrder: string[]): Validator {
  return {
    ensureValid(name, value) {
      if (value === null || value === undefined || !javaOrder.includes(String(value).toUpperCase())) {
        throw invalid(name, value, `String must be one of (case insensitive): ${javaOrder.join(', ')}`);
      }
    },
    toString: () => `(case insensitive) [${javaOrder.join(', ')}]`,
  };
}

/** Non-null list without duplicates (`ConnectorConfig.aliasValidator`). */
function aliasValidator(kind: string): Validator {
  return {
    ensureValid(name, value) {
      if (value === null || value === undefined) throw invalid(name, 'null', 'entry must be non null');
      const list = value as string[];
      if (new Set(list).size !== list.length) throw invalid(name, list, 'Duplicate alias provided.');
    },
    toString: () => `non-null string, unique ${kind}`,
  };
}

/** `RegexValidator` of the transforms module (topics.regex). */
function regexValidator(): Validator {
  return {
    ensureValid(name, value) {
      try {
        if (value === null || value === undefined) throw new Error('null');
        new RegExp(String(value));
      } catch (e) {
        throw invalid(name, value, `Invalid regex: ${(e as Error).message}`);
      }
    },
    toString: () => 'valid regex',
  };
}

/** `ConfigDef.NonEmptyString`: null passes, "" fails. */
function nonEmptyString(): Validator {
  return {
    ensureValid(name, value) {
      if (value === '') throw invalid(name, value, 'String must be non-empty');
    },
    toString: () => 'non-empty string',
  };
}

function nonEmptyStringWithoutControlChars(): Validator {
  return {
    ensureValid(name, value) {
      if (value === null || value === undefined) return; // a missing name is reported as missing
      const s = String(value);
      if (s.length === 0) throw invalid(name, s, 'String may not be empty');
      const bad = [...s].filter((c) => /[\u0000-\u001f\u007f-\u009f]/.test(c)).map((c) => c.charCodeAt(0));
      if (bad.length > 0) {
        throw invalid(name, s, `String may not contain control sequences but had the following ASCII chars: ${bad.join(', ')}`);
      }
    },
    toString: () => 'non-empty string without ISO control characters',
  };
}

/** Java's name for a plugin interface, and the registry types that implement it. */
const INTERFACES = {
  Converter: ['converter'],
  HeaderConverter: ['header_converter'],
  Transformation: ['transformation'],
  Predicate: ['predicate'],
} as const satisfies Record<string, readonly PluginType[]>;
type PluginInterface = keyof typeof INTERFACES;

/**
 * Parser of CLASS keys: resolves a class name or alias to the plugin's class name (Kafka's parsed value is the
 * Class, rendered by its name), or fails like `ConfigDef.parseType` does for a class it cannot load.
 */
export function classParser(registry: PluginRegistry): (name: string, raw: string) => string {
  return (name, raw) => {
    const d = registry.find(raw.trim());
    if (!d) throw new ConfigException(name, raw, `Class ${raw} could not be found.`);
    return d.className;
  };
}

/** `Utils.ensureConcreteSubclass`: the class must be a plugin of the interface's kind. */
function ensureImplements(registry: PluginRegistry, className: string, iface: PluginInterface): void {
  const d = registry.find(className);
  if (!d || !(INTERFACES[iface] as readonly PluginType[]).includes(d.type)) {
    throw new ConfigException(`Class class ${className} does not implement the ${iface} interface`);
  }
}

/** `ConcreteSubClassValidator` + `InstantiableClassValidator` (converter keys). */
function pluginClassValidator(registry: PluginRegistry, iface: PluginInterface): Validator {
  return {
    ensureValid(name, value) {
      if (value === null || value === undefined) return; // class not found: already reported
      const className = String(value);
      ensureImplements(registry, className, iface);
      try {
        registry.find(className)!.create();
      } catch (e) {
        throw invalid(name, className, `Could not instantiate class${e instanceof Error && e.message ? ': ' + e.message : ''}`);
      }
    },
    toString: () => `A concrete subclass of ${iface}, A class with a public, no-argument constructor`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The ConfigDefs

/**
 * `ConnectorConfig.configDef()`. With a registry, CLASS keys resolve aliases and check the class like Kafka;
 * without one (listings), only the metadata matters.
 */
export function connectorConfigDef(registry?: PluginRegistry): ConfigDef {
  const cls = (iface: PluginInterface): Partial<ConfigKeyInit> =>
    registry ? { parser: classParser(registry), validator: pluginClassValidator(registry, iface) } : {};
  let order = 0;
  let errorOrder = 0;
  return new ConfigDef()
    .define({ name: NAME_CONFIG, type: 'STRING', validator: nonEmptyStringWithoutControlChars(), importance: 'HIGH', documentation: DOCS.name, group: COMMON_GROUP, orderInGroup: ++order, width: 'MEDIUM', displayName: 'Connector name' })
    .define({ name: CONNECTOR_CLASS_CONFIG, type: 'STRING', importance: 'HIGH', documentation: DOCS.connectorClass, group: COMMON_GROUP, orderInGroup: ++order, width: 'LONG', displayName: 'Connector class' })
    .define({ name: TASKS_MAX_CONFIG, type: 'INT', defaultValue: 1, validator: atLeast(1), importance: 'HIGH', documentation: DOCS.tasksMax, group: COMMON_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Tasks max' })
    .define({ name: TASKS_MAX_ENFORCE_CONFIG, type: 'BOOLEAN', defaultValue: true, importance: 'LOW', documentation: DOCS.tasksMaxEnforce, group: COMMON_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Enforce tasks max' })
    .define({ name: KEY_CONVERTER_CLASS_CONFIG, type: 'CLASS', defaultValue: null, ...cls('Converter'), importance: 'LOW', documentation: CONVERTER_DOC('keys'), group: COMMON_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Key converter class' })
    .define({ name: VALUE_CONVERTER_CLASS_CONFIG, type: 'CLASS', defaultValue: null, ...cls('Converter'), importance: 'LOW', documentation: CONVERTER_DOC('values'), group: COMMON_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Value converter class' })
    .define({ name: HEADER_CONVERTER_CLASS_CONFIG, type: 'CLASS', defaultValue: null, ...cls('HeaderConverter'), importance: 'LOW', documentation: HEADER_CONVERTER_DOC, group: COMMON_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Header converter class' })
    .define({ name: TRANSFORMS_CONFIG, type: 'LIST', defaultValue: [], validator: aliasValidator('transformation aliases'), importance: 'LOW', documentation: DOCS.transforms, group: TRANSFORMS_GROUP, orderInGroup: ++order, width: 'LONG', displayName: 'Transforms' })
    .define({ name: PREDICATES_CONFIG, type: 'LIST', defaultValue: [], validator: aliasValidator('predicate aliases'), importance: 'LOW', documentation: DOCS.predicates, group: PREDICATES_GROUP, orderInGroup: ++order, width: 'LONG', displayName: 'Predicates' })
    .define({ name: CONFIG_RELOAD_ACTION_CONFIG, type: 'STRING', defaultValue: 'restart', validator: validString('none', 'restart'), importance: 'LOW', documentation: DOCS.reload, group: COMMON_GROUP, orderInGroup: ++order, width: 'MEDIUM', displayName: 'Reload Action' })
    .define({ name: ERRORS_RETRY_TIMEOUT_CONFIG, type: 'LONG', defaultValue: 0, importance: 'MEDIUM', documentation: DOCS.retryTimeout, group: ERROR_GROUP, orderInGroup: ++errorOrder, width: 'MEDIUM', displayName: 'Retry Timeout for Errors' })
    .define({ name: ERRORS_RETRY_MAX_DELAY_CONFIG, type: 'LONG', defaultValue: 60000, importance: 'MEDIUM', documentation: DOCS.retryMaxDelay, group: ERROR_GROUP, orderInGroup: ++errorOrder, width: 'MEDIUM', displayName: 'Maximum Delay Between Retries for Errors' })
    .define({ name: ERRORS_TOLERANCE_CONFIG, type: 'STRING', defaultValue: 'none', validator: validString('none', 'all'), importance: 'MEDIUM', documentation: DOCS.tolerance, group: ERROR_GROUP, orderInGroup: ++errorOrder, width: 'SHORT', displayName: 'Error Tolerance' })
    .define({ name: ERRORS_LOG_ENABLE_CONFIG, type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: DOCS.logEnable, group: ERROR_GROUP, orderInGroup: ++errorOrder, width: 'SHORT', displayName: 'Log Errors' })
    .define({ name: ERRORS_LOG_INCLUDE_MESSAGES_CONFIG, type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: DOCS.logIncludeMessages, group: ERROR_GROUP, orderInGroup: ++errorOrder, width: 'SHORT', displayName: 'Log Error Details' });
}

/** `SinkConnectorConfig.configDef()`. */
export function sinkConnectorConfigDef(registry?: PluginRegistry): ConfigDef {
  return connectorConfigDef(registry)
    .define({ name: TOPICS_CONFIG, type: 'LIST', defaultValue: '', importance: 'HIGH', documentation: DOCS.topics, group: COMMON_GROUP, orderInGroup: 4, width: 'LONG', displayName: 'Topics' })
    .define({ name: TOPICS_REGEX_CONFIG, type: 'STRING', defaultValue: '', validator: regexValidator(), importance: 'HIGH', documentation: DOCS.topicsRegex, group: COMMON_GROUP, orderInGroup: 4, width: 'LONG', displayName: 'Topics regex' })
    .define({ name: DLQ_TOPIC_NAME_CONFIG, type: 'STRING', defaultValue: '', importance: 'MEDIUM', documentation: DOCS.dlqTopic, group: ERROR_GROUP, orderInGroup: 6, width: 'MEDIUM', displayName: 'Dead Letter Queue Topic Name' })
    .define({ name: DLQ_TOPIC_REPLICATION_FACTOR_CONFIG, type: 'SHORT', defaultValue: 3, importance: 'MEDIUM', documentation: DOCS.dlqReplication, group: ERROR_GROUP, orderInGroup: 7, width: 'MEDIUM', displayName: 'Dead Letter Queue Topic Replication Factor' })
    .define({ name: DLQ_CONTEXT_HEADERS_ENABLE_CONFIG, type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: DOCS.dlqHeaders, group: ERROR_GROUP, orderInGroup: 8, width: 'MEDIUM', displayName: 'Enable Error Context Headers' });
}

/** `SourceConnectorConfig.configDef()`. */
export function sourceConnectorConfigDef(registry?: PluginRegistry): ConfigDef {
  let order = 0;
  const atLeastZeroOrNull: Validator = {
    ensureValid(name, value) {
      if (value !== null && value !== undefined && (value as number) < 0) throw invalid(name, value, 'Value must be at least 0');
    },
    toString: () => '[0,...]',
  };
  return connectorConfigDef(registry)
    .define({ name: TOPIC_CREATION_GROUPS_CONFIG, type: 'LIST', defaultValue: [], validator: aliasValidator('topic creation groups'), importance: 'LOW', documentation: DOCS.topicCreationGroups, group: TOPIC_CREATION_GROUP, orderInGroup: ++order, width: 'LONG', displayName: 'Topic Creation Groups' })
    .define({ name: EXACTLY_ONCE_SUPPORT_CONFIG, type: 'STRING', defaultValue: 'requested', validator: caseInsensitiveValidString(['REQUIRED', 'REQUESTED']), importance: 'MEDIUM', documentation: DOCS.exactlyOnce, group: EXACTLY_ONCE_SUPPORT_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Exactly once support' })
    .define({ name: TRANSACTION_BOUNDARY_CONFIG, type: 'STRING', defaultValue: 'poll', validator: caseInsensitiveValidString(['INTERVAL', 'POLL', 'CONNECTOR']), importance: 'MEDIUM', documentation: DOCS.transactionBoundary, group: EXACTLY_ONCE_SUPPORT_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Transaction Boundary' })
    .define({ name: TRANSACTION_BOUNDARY_INTERVAL_CONFIG, type: 'LONG', defaultValue: null, validator: atLeastZeroOrNull, importance: 'LOW', documentation: DOCS.transactionInterval, group: EXACTLY_ONCE_SUPPORT_GROUP, orderInGroup: ++order, width: 'SHORT', displayName: 'Transaction boundary interval' })
    .define({ name: OFFSETS_TOPIC_CONFIG, type: 'STRING', defaultValue: null, validator: nonEmptyString(), importance: 'LOW', documentation: DOCS.offsetsTopic, group: OFFSETS_TOPIC_GROUP, orderInGroup: 1, width: 'LONG', displayName: 'Offsets topic' });
}

export type ConnectorKind = 'source' | 'sink';

/** The framework definition for a connector kind. */
export function frameworkConfigDef(kind: ConnectorKind, registry?: PluginRegistry): ConfigDef {
  return kind === 'sink' ? sinkConnectorConfigDef(registry) : sourceConnectorConfigDef(registry);
}

// ---------------------------------------------------------------------------------------------------------
// Enrichment with transforms.<alias>.* and predicates.<alias>.*

interface Enrichable {
  kind: 'Transformation' | 'Predicate';
  aliasConfig: string;
  group: string;
  /** Keys every plugin of this kind gets implicitly. */
  initial(): ConfigDef;
  /** Extra checks run by the `.type` key's validator. */
  validateProps(props: Record<string, string | null | undefined>, prefix: string): void;
}

const TRANSFORMS: Enrichable = {
  kind: 'Transformation',
  aliasConfig: TRANSFORMS_CONFIG,
  group: TRANSFORMS_GROUP,
  initial: () =>
    new ConfigDef()
      .define({ name: PREDICATE_CONFIG, type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation: 'The alias of a predicate used to determine whether to apply this transformation.' })
      .define({ name: NEGATE_CONFIG, type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: 'Whether the configured predicate should be negated.' }),
  validateProps(props, prefix) {
    const negate = prefix + NEGATE_CONFIG;
    const predicate = prefix + PREDICATE_CONFIG;
    if (negate in props && !(predicate in props)) {
      throw new ConfigException(
        `Config '${negate}' was provided but there is no config '${predicate}' defining a predicate to be negated.`,
      );
    }
  },
};

const PREDICATES: Enrichable = {
  kind: 'Predicate',
  aliasConfig: PREDICATES_CONFIG,
  group: PREDICATES_GROUP,
  initial: () => new ConfigDef(),
  validateProps() {},
};

/**
 * `ConnectorConfig.enrich`: the framework definition of a connector kind plus, for each configured transform
 * and predicate alias, its `.type` key and the plugin's own keys prefixed. With `requireFullConfig` false
 * (validation), an alias whose class cannot be resolved contributes only its `.type` key; with true (runtime),
 * that is an error.
 */
export function enrichedConnectorConfigDef(
  registry: PluginRegistry,
  props: Record<string, string | null | undefined>,
  kind: ConnectorKind,
  requireFullConfig = false,
): ConfigDef {
  const def = frameworkConfigDef(kind, registry);
  enrich(def, registry, props, TRANSFORMS, requireFullConfig);
  enrich(def, registry, props, PREDICATES, requireFullConfig);
  return def;
}

function enrich(
  def: ConfigDef,
  registry: PluginRegistry,
  props: Record<string, string | null | undefined>,
  e: Enrichable,
  requireFullConfig: boolean,
): void {
  const aliases = parseType(e.aliasConfig, props[e.aliasConfig], 'LIST');
  if (!Array.isArray(aliases)) return;
  const types = INTERFACES[e.kind] as readonly PluginType[];
  for (const alias of new Set(aliases as string[])) {
    const prefix = `${e.aliasConfig}.${alias}.`;
    const group = `${e.group}: ${alias}`;
    const typeConfig = prefix + 'type';
    def.define({
      name: typeConfig,
      type: 'CLASS',
      parser: classParser(registry),
      validator: {
        ensureValid(_name, value) {
          e.validateProps(props, prefix);
          if (value !== null && value !== undefined) pluginConfigDef(registry, typeConfig, String(value), e.kind);
        },
        toString: () => `valid configs for ${alias} ${e.kind.toLowerCase()}`,
      },
      importance: 'HIGH',
      documentation: `Class for the '${alias}' ${e.kind.toLowerCase()}.`,
      group,
      orderInGroup: 0,
      width: 'LONG',
      displayName: `${e.kind} type for ${alias}`,
      dependents: [],
      recommendedValues: () =>
        registry
          .all()
          .filter((d) => types.includes(d.type))
          .map((d) => d.className)
          .sort(),
    });
    let own: ConfigDef;
    try {
      const raw = props[typeConfig];
      if (raw === null || raw === undefined) throw new ConfigException(typeConfig, null, `Not a ${e.kind}`);
      own = pluginConfigDef(registry, typeConfig, classParser(registry)(typeConfig, raw), e.kind);
    } catch (err) {
      if (err instanceof ConfigException && !requireFullConfig) continue;
      throw err;
    }
    const embedded = e.initial();
    for (const k of own.configKeys()) {
      // The implicit `predicate` / `negate` keys mask an SMT's keys of the same name.
      if (e.kind === 'Transformation' && (k.name === PREDICATE_CONFIG || k.name === NEGATE_CONFIG)) continue;
      if (!embedded.has(k.name)) embedded.define(initOf(k));
    }
    def.embed(prefix, group, 1, embedded);
  }
}

function initOf(k: ConfigKey): ConfigKeyInit {
  const { defaultValue, ...rest } = k;
  return typeof defaultValue === 'symbol' ? rest : { ...rest, defaultValue };
}

/** `getConfigDefFromConfigProvidingClass`: checks the class and returns its `config()`. */
function pluginConfigDef(registry: PluginRegistry, key: string, className: string, iface: 'Transformation' | 'Predicate'): ConfigDef {
  ensureImplements(registry, className, iface);
  let instance: Transformation | Predicate;
  try {
    instance = registry.find(className)!.create() as Transformation | Predicate;
  } catch (e) {
    throw new ConfigException(key, `class ${className}`, `Error getting config definition from ${iface}: ${(e as Error).message}`);
  }
  const def = instance.config();
  if (!def) throw new ConnectException(`${className}.config() must return a ConfigDef that is not null.`);
  return def;
}

// ---------------------------------------------------------------------------------------------------------
// Runtime: the transformation stages of a connector config (`ConnectorConfig.transformationStages`)

export interface TransformStage {
  alias: string;
  className: string;
  transform: Transformation;
  predicate: Predicate | null;
  negate: boolean;
}

/** Keys starting with `prefix`, prefix removed (`originalsWithPrefix`). */
function withPrefix(props: Record<string, string | null | undefined>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix) && typeof v === 'string') out[k.slice(prefix.length)] = v;
  return out;
}

/**
 * Instantiates and configures the transforms (and their predicates) of a connector config, in `transforms`
 * order. Failures are wrapped like Kafka's (`ConnectException` whose message is the cause's `Class: message`).
 */
export function transformationStages(registry: PluginRegistry, props: Record<string, string | null | undefined>): TransformStage[] {
  const aliases = (parseType(TRANSFORMS_CONFIG, props[TRANSFORMS_CONFIG], 'LIST') as string[] | null) ?? [];
  const stages: TransformStage[] = [];
  for (const alias of aliases) {
    const prefix = `${TRANSFORMS_CONFIG}.${alias}.`;
    try {
      const d = resolvePlugin(registry, prefix + 'type', props[prefix + 'type'], 'Transformation');
      const transform = d.create() as Transformation;
      const configs = withPrefix(props, prefix);
      const predicateAlias = configs[PREDICATE_CONFIG];
      const negate = configs[NEGATE_CONFIG];
      delete configs[PREDICATE_CONFIG];
      delete configs[NEGATE_CONFIG];
      transform.configure(configs);
      let predicate: Predicate | null = null;
      if (predicateAlias !== undefined) {
        const pPrefix = `${PREDICATES_PREFIX}${predicateAlias}.`;
        const pd = resolvePlugin(registry, pPrefix + 'type', props[pPrefix + 'type'], 'Predicate');
        predicate = pd.create() as Predicate;
        predicate.configure(withPrefix(props, pPrefix));
      }
      stages.push({
        alias,
        className: d.className,
        transform,
        predicate,
        negate: predicate !== null && negate !== undefined && negate.trim().toLowerCase() === 'true',
      });
    } catch (e) {
      for (const s of stages) {
        s.transform.close();
        s.predicate?.close();
      }
      const cause = e as Error & { javaClass?: string };
      throw new ConnectException(`${cause.javaClass ?? 'java.lang.RuntimeException'}: ${cause.message}`, { cause: e });
    }
  }
  return stages;
}

function resolvePlugin(registry: PluginRegistry, key: string, raw: string | null | undefined, iface: 'Transformation' | 'Predicate') {
  if (raw === null || raw === undefined) throw new ConfigException(`Missing required configuration "${key}" which has no default value.`);
  const className = classParser(registry)(key, raw);
  ensureImplements(registry, className, iface);
  return registry.find(className)!;
}

// ---------------------------------------------------------------------------------------------------------
// Sink preflight checks (`SinkConnectorConfig.validate`)

interface MutableConfigValue {
  name: string;
  value: unknown;
  recommendedValues: string[];
  errorMessages: string[];
  visible: boolean;
}

function isBlank(s: string | null | undefined): boolean {
  return s === null || s === undefined || s.trim() === '';
}

/** The non-empty, distinct topics of `topics`. */
export function parseTopicsList(props: Record<string, string | null | undefined>): string[] {
  const list = (parseType(TOPICS_CONFIG, props[TOPICS_CONFIG], 'LIST') as string[] | null) ?? [];
  return [...new Set(list.filter((t) => t !== ''))];
}

/**
 * Adds the sink-specific errors (topics / topics.regex exclusivity, DLQ topic among the consumed topics) to
 * `validated`, creating entries for keys it does not have.
 */
export function validateSinkConfig(
  props: Record<string, string | null | undefined>,
  validated: Map<string, MutableConfigValue>,
): void {
  const topicsList = props[TOPICS_CONFIG];
  const topicsRegex = props[TOPICS_REGEX_CONFIG];
  const dlqTopic = (props[DLQ_TOPIC_NAME_CONFIG] ?? '').trim();
  const hasTopics = !isBlank(topicsList);
  const hasRegex = !isBlank(topicsRegex);
  const add = (name: string, value: string | null | undefined, msg: string): void => {
    let cv = validated.get(name);
    if (!cv) {
      cv = { name, value: value ?? null, recommendedValues: [], errorMessages: [], visible: true };
      validated.set(name, cv);
    }
    cv.errorMessages.push(msg);
  };
  if (hasTopics && hasRegex) {
    const msg = `${TOPICS_CONFIG} and ${TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set.`;
    add(TOPICS_CONFIG, topicsList, msg);
    add(TOPICS_REGEX_CONFIG, topicsRegex, msg);
  }
  if (!hasTopics && !hasRegex) {
    const msg = `Must configure one of ${TOPICS_CONFIG} or ${TOPICS_REGEX_CONFIG}`;
    add(TOPICS_CONFIG, topicsList, msg);
    add(TOPICS_REGEX_CONFIG, topicsRegex, msg);
  }
  if (dlqTopic !== '') {
    if (hasTopics) {
      const topics = parseTopicsList(props);
      if (topics.includes(dlqTopic)) {
        add(
          TOPICS_CONFIG,
          topicsList,
          `The DLQ topic '${dlqTopic}' may not be included in the list of topics ('${TOPICS_CONFIG}=[${topics.join(', ')}]') consumed by the connector`,
        );
      }
    }
    if (hasRegex) {
      let matches = false;
      try {
        matches = new RegExp(`^(?:${topicsRegex})$`).test(dlqTopic);
      } catch {
        // an invalid regex is reported by the key's validator
      }
      if (matches) {
        add(
          TOPICS_REGEX_CONFIG,
          topicsRegex,
          `The DLQ topic '${dlqTopic}' may not be matched by the regex for the topics ('${TOPICS_REGEX_CONFIG}=${topicsRegex}') consumed by the connector`,
        );
      }
    }
  }
}

/** True when the sink config names a DLQ topic. */
export function hasDlqTopicConfig(props: Record<string, string | null | undefined>): boolean {
  return !isBlank(props[DLQ_TOPIC_NAME_CONFIG]);
}

/** True when a source config has any `topic.creation.` key. */
export function usesTopicCreation(props: Record<string, string | null | undefined>): boolean {
  return Object.keys(props).some((k) => k.startsWith(TOPIC_CREATION_PREFIX));
}
