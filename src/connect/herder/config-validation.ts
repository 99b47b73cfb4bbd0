/**
 * Connector config validation with Kafka Connect's answer (`ConfigInfos`), as `AbstractHerder.validateConnectorConfig`
 * builds it: the framework keys of the connector's kind enriched with its transforms and predicates, then the
 * connector's own keys and `validate()` results, then `producer.override.` / `consumer.override.` /
 * `admin.override.` sections and the converter sections (`header.converter.`, `key.converter.`, `value.converter.`).
 * Also the 400 message of POST/PUT with an invalid config, and the key listing of `GET /connector-plugins/{p}/config`.
 */
import { ConfigDef, parseType, type ConfigKey, type ConfigType, type ConfigValue } from '../api/config-def.js';
import type { Connector } from '../api/connector.js';
import type { Converter, HeaderConverter } from '../api/converter.js';
import type { PluginType } from '../api/plugin.js';
import type { Predicate, Transformation } from '../api/transformation.js';
import { NotFoundException } from '../errors.js';
import { keysWithVariables } from '../config-providers/config-transformer.js';
import { maskConfig } from '../config-providers/masking.js';
import {
  ADMIN_OVERRIDES_PREFIX,
  CONNECTOR_CLASS_CONFIG,
  CONSUMER_OVERRIDES_PREFIX,
  EXACTLY_ONCE_SUPPORT_CONFIG,
  HEADER_CONVERTER_CLASS_CONFIG,
  KEY_CONVERTER_CLASS_CONFIG,
  NAME_CONFIG,
  PRODUCER_OVERRIDES_PREFIX,
  TRANSACTION_BOUNDARY_CONFIG,
  VALUE_CONVERTER_CLASS_CONFIG,
  enrichedConnectorConfigDef,
  frameworkConfigDef,
  hasDlqTopicConfig,
  usesTopicCreation,
  validateSinkConfig,
  type ConnectorKind,
} from '../runtime/connector-config.js';
import type { PluginRegistry } from '../runtime/plugins.js';
import { BadRequestError, type ConfigInfo, type ConfigInfos, type ConfigKeyInfo, type ConfigValueInfo } from './types.js';

export type RawConfig = Record<string, string | null>;

/** What validation needs to know about the worker. Everything is optional; the defaults are a standalone worker. */
export interface WorkerValidationContext {
  mode?: 'standalone' | 'distributed';
  /** Distributed: the worker's `group.id` (sink consumer groups may not clash with it). */
  groupId?: string;
  /** Distributed: `exactly.once.source.support=enabled`. */
  exactlyOnceSourceEnabled?: boolean;
  /** `connector.client.config.override.policy`: All (default), None or Principal. */
  clientOverridePolicy?: string;
  /** Kafka client ConfigDefs, when known, give the override entries a definition and typed values. */
  clientConfigDefs?: { producer?: ConfigDef; consumer?: ConfigDef; admin?: ConfigDef };
  /** Config provider substitution (`${file:...}`), run first. */
  transformConfig?: (config: RawConfig) => RawConfig | Promise<RawConfig>;
}

/** `AbstractHerder.validateConnectorConfig`. Throws BadRequestError without `connector.class`, ConnectException for an unknown one. */
export async function validateConnectorConfig(
  registry: PluginRegistry,
  config: RawConfig,
  ctx: WorkerValidationContext = {},
): Promise<ConfigInfos> {
  const props = ctx.transformConfig ? await ctx.transformConfig(config) : config;
  const connType = props[CONNECTOR_CLASS_CONFIG];
  if (connType === null || connType === undefined) {
    // The submitted config (variables unresolved), secrets masked: this message reaches logs and clients.
    throw new BadRequestError(`Connector config ${javaMapString(maskConfig(config))} contains no connector type`);
  }
  const connector = registry.create<Connector>(connType, 'source', 'sink');
  const kind: ConnectorKind = registry.findOfType(connType, 'source', 'sink')!.type === 'sink' ? 'sink' : 'source';

  const enriched = enrichedConnectorConfigDef(registry, props, kind, false);
  const validated = enriched.validateAll(props);
  if (kind === 'sink') {
    validateSinkConfig(props, validated);
    if (ctx.mode === 'distributed' && ctx.groupId !== undefined) validateSinkGroupId(props, validated, ctx.groupId);
  } else if (ctx.mode === 'distributed') {
    validateExactlyOnce(props, validated, connector, ctx);
  }
  for (const [key, value] of Object.entries(props)) {
    if (value !== null) continue;
    let cv = validated.get(key);
    if (!cv) {
      cv = { name: key, value: null, recommendedValues: [], errorMessages: [], visible: true };
      validated.set(key, cv);
    }
    const msg = 'Null value can not be supplied as the configuration value.';
    if (!cv.errorMessages.includes(msg)) cv.errorMessages.push(msg);
  }

  const configKeys = new Map<string, ConfigKey>(enriched.configKeys().map((k) => [k.name, k]));
  const groups = new Set(enriched.groups());
  const connectorDef = connector.config();
  const connectorValues = await connector.validate(props as Record<string, string>);
  for (const k of connectorDef.configKeys()) configKeys.set(k.name, k);
  for (const g of connectorDef.groups()) groups.add(g);
  const configValues = [...validated.values(), ...connectorValues.values()];

  const header = converterInfos(registry, props, validated.get(HEADER_CONVERTER_CLASS_CONFIG), 'header');
  const key = converterInfos(registry, props, validated.get(KEY_CONVERTER_CLASS_CONFIG), 'key');
  const value = converterInfos(registry, props, validated.get(VALUE_CONVERTER_CLASS_CONFIG), 'value');

  const main = generateResult(connType, configKeys, configValues, [...groups]);
  const policy = ctx.clientOverridePolicy ?? 'All';
  const name = props[NAME_CONFIG] ?? null;
  const defs = ctx.clientConfigDefs ?? {};
  const usesDlq = kind === 'sink' && hasDlqTopicConfig(props);
  const producer = kind === 'source' || usesDlq ? clientOverrides(props, PRODUCER_OVERRIDES_PREFIX, defs.producer, policy, name) : null;
  const admin = (kind === 'source' && usesTopicCreation(props)) || usesDlq ? clientOverrides(props, ADMIN_OVERRIDES_PREFIX, defs.admin, policy, name) : null;
  const consumer = kind === 'sink' ? clientOverrides(props, CONSUMER_OVERRIDES_PREFIX, defs.consumer, policy, name) : null;
  const infos = mergeConfigInfos(connType, [main, producer, consumer, admin, header, key, value]);
  return props === config ? infos : unresolvedView(infos, config, props);
}

/**
 * The answer as the client wrote it: a key set through a config provider shows its variable, not the resolved
 * value, and the resolved value is masked in error messages (Kafka shows resolved values here; we never do).
 */
function unresolvedView(infos: ConfigInfos, raw: RawConfig, resolved: RawConfig): ConfigInfos {
  const keys = keysWithVariables(raw);
  if (keys.size === 0) return infos;
  const secrets = [...keys].map((k) => resolved[k]).filter((v): v is string => typeof v === 'string' && v !== '');
  const scrub = (text: string) => secrets.reduce((t, secret) => t.split(secret).join('[hidden]'), text);
  for (const c of infos.configs) {
    if (!c.value) continue;
    if (keys.has(c.value.name)) c.value.value = raw[c.value.name] ?? null;
    c.value.errors = c.value.errors.map(scrub);
  }
  return infos;
}

/**
 * The 400 message for a create/update with an invalid config (`AbstractHerder.maybeAddConfigErrors`), or null
 * when the config has no errors.
 */
export function configErrorsMessage(infos: ConfigInfos): string | null {
  if (infos.error_count <= 0) return null;
  const lines = [`Connector configuration is invalid and contains the following ${infos.error_count} error(s):`];
  for (const c of infos.configs) for (const e of c.value?.errors ?? []) lines.push(e);
  lines.push('You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`');
  return lines.join('\n');
}

/** Throws the BadRequestError of an invalid config (what a herder does before storing it). */
export function throwIfInvalid(infos: ConfigInfos): void {
  const message = configErrorsMessage(infos);
  if (message !== null) throw new BadRequestError(message);
}

const LISTED_TYPES: PluginType[] = ['sink', 'source', 'converter', 'header_converter', 'transformation', 'predicate'];

/**
 * `GET /connector-plugins/{p}/config`: the plugin's own keys, then (connectors) the framework keys it does not
 * define itself. 404 `Unknown plugin p.` when the registry does not know it.
 */
export function configKeyInfos(registry: PluginRegistry, plugin: string): ConfigKeyInfo[] {
  const d = registry.find(plugin);
  if (!d) throw new NotFoundException(`Unknown plugin ${plugin}.`);
  if (!LISTED_TYPES.includes(d.type)) {
    throw new BadRequestError(`Invalid plugin class ${plugin}. Valid types are sink, source, converter, header_converter, transformation, predicate.`);
  }
  const instance = d.create() as Connector | Converter | HeaderConverter | Transformation | Predicate;
  const own = instance.config();
  const keys = new Map<string, ConfigKey>(own.configKeys().map((k) => [k.name, k]));
  if (d.type === 'sink' || d.type === 'source') {
    for (const k of frameworkConfigDef(d.type).configKeys()) if (!keys.has(k.name)) keys.set(k.name, k);
  }
  (instance as { close?: () => void }).close?.();
  return [...keys.values()].map((k) => convertConfigKey(k));
}

// ---------------------------------------------------------------------------------------------------------
// Rendering (ConfigKeyInfo / ConfigValueInfo)

export function convertConfigKey(key: ConfigKey, prefix = ''): ConfigKeyInfo {
  const required = key.defaultValue !== null && typeof key.defaultValue === 'symbol';
  return {
    name: prefix + key.name,
    type: key.type,
    required,
    default_value: required ? null : convertToString(key.defaultValue, key.type),
    importance: key.importance,
    documentation: key.documentation ?? null,
    group: key.group ?? null,
    width: key.width ?? 'NONE',
    display_name: key.displayName ?? key.name,
    dependents: [...(key.dependents ?? [])],
    order: key.orderInGroup ?? -1,
  };
}

function convertConfigValue(cv: ConfigValue, type: ConfigType | null): ConfigValueInfo {
  const recType: ConfigType | null = type === 'LIST' ? 'STRING' : type;
  return {
    name: cv.name,
    value: convertToString(cv.value, type),
    recommended_values: cv.recommendedValues.map((v) => convertToString(v, recType) ?? 'null'),
    errors: [...cv.errorMessages],
    visible: cv.visible,
  };
}

/** `ConfigDef.convertToString`: lists comma-joined, passwords hidden, doubles as Java prints them. */
export function convertToString(value: unknown, type: ConfigType | null): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'symbol') return null;
  if (type === 'LIST' && Array.isArray(value)) return value.map((v) => String(v)).join(',');
  if (type === 'DOUBLE' && typeof value === 'number') return javaDouble(value);
  if (type === null && Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}

/** Java's `Double.toString`. */
function javaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(x);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(x);
    return s.includes('.') ? s : s + '.0';
  }
  const [mant, exp] = x.toExponential().split('e');
  return `${mant!.includes('.') ? mant : mant + '.0'}E${exp!.replace('+', '')}`;
}

// ---------------------------------------------------------------------------------------------------------
// Composition

function generateResult(connType: string, configKeys: Map<string, ConfigKey>, configValues: ConfigValue[], groups: string[]): ConfigInfos {
  let errorCount = 0;
  const configs: ConfigInfo[] = [];
  const byName = new Map<string, ConfigValue>();
  for (const cv of configValues) {
    byName.set(cv.name, cv);
    if (!configKeys.has(cv.name)) {
      configs.push({ definition: null, value: convertConfigValue(cv, null) });
      errorCount += cv.errorMessages.length;
    }
  }
  for (const [name, key] of configKeys) {
    const cv = byName.get(name);
    if (cv) errorCount += cv.errorMessages.length;
    configs.push({ definition: convertConfigKey(key), value: cv ? convertConfigValue(cv, key.type) : null });
  }
  return { name: connType, error_count: errorCount, groups, configs };
}

function prefixedConfigInfos(def: ConfigDef | undefined, values: ConfigValue[], prefix: string): ConfigInfos {
  let errorCount = 0;
  const groups = new Set<string>();
  const configs: ConfigInfo[] = [];
  for (const v of values) {
    const key = def?.key(v.name);
    if (key?.group) groups.add(key.group);
    if (v.errorMessages.length > 0) errorCount++;
    configs.push({
      definition: key ? convertConfigKey(key, prefix) : null,
      value: convertConfigValue({ ...v, name: prefix + v.name }, key ? key.type : null),
    });
  }
  return { name: '', error_count: errorCount, groups: [...groups], configs };
}

function mergeConfigInfos(connType: string, list: (ConfigInfos | null)[]): ConfigInfos {
  let errorCount = 0;
  const configs: ConfigInfo[] = [];
  const groups = new Set<string>();
  for (const infos of list) {
    if (!infos) continue;
    errorCount += infos.error_count;
    configs.push(...infos.configs);
    for (const g of infos.groups) groups.add(g);
  }
  return { name: connType, error_count: errorCount, groups: [...groups], configs };
}

const CONVERTER_PROPERTY = { header: HEADER_CONVERTER_CLASS_CONFIG, key: KEY_CONVERTER_CLASS_CONFIG, value: VALUE_CONVERTER_CLASS_CONFIG } as const;

/** `validateConverterConfig`: the converter's own keys, prefixed, when the connector config names a converter. */
function converterInfos(
  registry: PluginRegistry,
  props: RawConfig,
  classValue: ConfigValue | undefined,
  which: 'header' | 'key' | 'value',
): ConfigInfos | null {
  const property = CONVERTER_PROPERTY[which];
  const pluginName = `${which} converter`;
  if (props[property] === null || props[property] === undefined || !classValue || classValue.errorMessages.length > 0) return null;
  const detail = (e: unknown): string => (e instanceof Error && e.message ? ': ' + e.message : '');
  let instance: Converter | HeaderConverter;
  try {
    instance = registry.create<Converter | HeaderConverter>(String(classValue.value), which === 'header' ? 'header_converter' : 'converter');
  } catch (e) {
    classValue.errorMessages.push(`Failed to load class ${props[property]}${detail(e)}`);
    return null;
  }
  try {
    let def: ConfigDef | null;
    try {
      def = instance.config();
    } catch (e) {
      classValue.errorMessages.push(`Failed to load ConfigDef from ${pluginName}${detail(e)}`);
      return null;
    }
    if (!def) return null;
    const prefix = property + '.';
    const pluginConfig: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) pluginConfig[k.slice(prefix.length)] = v;
    if (!('converter.type' in pluginConfig)) pluginConfig['converter.type'] = which;
    let values: ConfigValue[];
    try {
      values = [...def.validateAll(pluginConfig).values()];
    } catch (e) {
      classValue.errorMessages.push(`Failed to perform config validation for ${pluginName}${detail(e)}`);
      return null;
    }
    return prefixedConfigInfos(def, values, prefix);
  } finally {
    try {
      instance.close?.();
    } catch {
      // closed quietly, as Kafka does
    }
  }
}

const PRINCIPAL_ALLOWED = new Set(['sasl.jaas.config', 'sasl.mechanism', 'security.protocol']);

/** `validateClientOverrides` with the worker's override policy. */
function clientOverrides(props: RawConfig, prefix: string, def: ConfigDef | undefined, policy: string, _connName: string | null): ConfigInfos {
  const values: ConfigValue[] = [];
  const policyName = policyDisplayName(policy);
  for (const [k, raw] of Object.entries(props)) {
    if (!k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    const key = def?.key(name);
    const value = key ? parseType(name, raw, key.type) : raw;
    const allowed = policyName === 'All' || (policyName === 'Principal' && PRINCIPAL_ALLOWED.has(name));
    values.push({
      name,
      value,
      recommendedValues: [],
      errorMessages: allowed ? [] : [`The '${policyName}' policy does not allow '${name}' to be overridden in the connector configuration.`],
      visible: true,
    });
  }
  return prefixedConfigInfos(def, values, prefix);
}

function policyDisplayName(policy: string): string {
  const simple = policy.slice(policy.lastIndexOf('.') + 1).replace(/ConnectorClientConfigOverridePolicy$/, '');
  const known = ['All', 'None', 'Principal'].find((p) => p.toLowerCase() === simple.toLowerCase());
  return known ?? simple;
}

// ---------------------------------------------------------------------------------------------------------
// Distributed-mode checks (DistributedHerder)

function validateSinkGroupId(props: RawConfig, validated: Map<string, ConfigValue>, workerGroupId: string): void {
  const overrideKey = CONSUMER_OVERRIDES_PREFIX + 'group.id';
  if (overrideKey in props) {
    const groupId = props[overrideKey] ?? null;
    let cv = validated.get(overrideKey);
    if (!cv) {
      cv = { name: overrideKey, value: groupId, recommendedValues: [], errorMessages: [], visible: true };
      validated.set(overrideKey, cv);
    }
    if (groupId === workerGroupId) cv.errorMessages.push(`Consumer group ${groupId} conflicts with Connect worker group ${workerGroupId}`);
  } else {
    const cv = validated.get(NAME_CONFIG);
    const name = cv?.value as string | null | undefined;
    if (cv && `connect-${name}` === workerGroupId) {
      cv.errorMessages.push(`Consumer group for sink connector named ${name} conflicts with Connect worker group ${workerGroupId}`);
    }
  }
}

type OptionalEos = {
  exactlyOnceSupport?: (config: RawConfig) => 'SUPPORTED' | 'UNSUPPORTED' | null;
  canDefineTransactionBoundaries?: (config: RawConfig) => 'SUPPORTED' | 'UNSUPPORTED' | null;
};

function validateExactlyOnce(props: RawConfig, validated: Map<string, ConfigValue>, connector: Connector, ctx: WorkerValidationContext): void {
  const eos = validated.get(EXACTLY_ONCE_SUPPORT_CONFIG);
  const c = connector as Connector & OptionalEos;
  if (eos && eos.errorMessages.length === 0 && String(eos.value).trim().toLowerCase() === 'required') {
    if (!ctx.exactlyOnceSourceEnabled) eos.errorMessages.push('This worker does not have exactly-once source support enabled.');
    const support = c.exactlyOnceSupport ? c.exactlyOnceSupport(props) : null;
    if (support === null) {
      eos.errorMessages.push(
        'The connector does not implement the API required for preflight validation of exactly-once source support. ' +
          'Please consult the documentation for the connector to determine whether it supports exactly-once semantics, ' +
          'and then consider reconfiguring the connector to use the value "requested" for this property ' +
          '(which will disable this preflight check and allow the connector to be created).',
      );
    } else if (support === 'UNSUPPORTED') {
      eos.errorMessages.push('The connector does not support exactly-once semantics with the provided configuration.');
    }
  }
  const boundary = validated.get(TRANSACTION_BOUNDARY_CONFIG);
  if (boundary && boundary.errorMessages.length === 0 && String(boundary.value).trim().toLowerCase() === 'connector') {
    const can = c.canDefineTransactionBoundaries ? c.canDefineTransactionBoundaries(props) : 'UNSUPPORTED';
    if (can !== 'SUPPORTED') {
      boundary.errorMessages.push(
        'The connector does not support connector-defined transaction boundaries with the given configuration. ' +
          'Please reconfigure it to use a different transaction boundary definition.',
      );
    }
  }
}

/** Java's `AbstractMap.toString`: `{k1=v1, k2=v2}`. */
function javaMapString(props: RawConfig): string {
  return `{${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
}

/** Validation bound to a registry and a worker's properties: what a herder needs (see StandaloneHerder). */
export interface ConfigValidation {
  validate(config: RawConfig): Promise<ConfigInfos>;
  invalidConfigMessage(infos: ConfigInfos): string;
  configKeyInfos(plugin: string): ConfigKeyInfo[];
}

export function createConfigValidation(
  registry: PluginRegistry,
  options: { workerProps?: Record<string, string>; distributed?: boolean; transformConfig?: WorkerValidationContext['transformConfig'] } = {},
): ConfigValidation {
  const props = options.workerProps ?? {};
  const ctx: WorkerValidationContext = {
    mode: options.distributed ? 'distributed' : 'standalone',
    groupId: props['group.id'],
    exactlyOnceSourceEnabled: (props['exactly.once.source.support'] ?? 'disabled').trim().toLowerCase() === 'enabled',
    clientOverridePolicy: props['connector.client.config.override.policy'] ?? 'All',
    transformConfig: options.transformConfig,
  };
  return {
    validate: (config) => validateConnectorConfig(registry, config, ctx),
    invalidConfigMessage: (infos) => configErrorsMessage(infos) ?? '',
    configKeyInfos: (plugin) => configKeyInfos(registry, plugin),
  };
}
