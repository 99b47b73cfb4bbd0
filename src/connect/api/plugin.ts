import type { Connector } from './connector.js';
import type { Converter, HeaderConverter } from './converter.js';
import type { Predicate, Transformation } from './transformation.js';

export type PluginType =
  | 'source'
  | 'sink'
  | 'converter'
  | 'header_converter'
  | 'transformation'
  | 'predicate';

export type PluginInstance = Connector | Converter | HeaderConverter | Transformation | Predicate;

/**
 * How a plugin is registered: its Java class name (what users write in configs), its kind, version, and
 * a factory. Aliases follow Kafka's rule (simple class name, and that name minus the type suffix) and are
 * derived by the registry; `aliases` adds more. Third-party packages in `plugin.path` export an array of
 * these as `tsconnectPlugins`.
 */
export interface PluginDescriptor<T extends PluginInstance = PluginInstance> {
  className: string;
  type: PluginType;
  version?: string;
  aliases?: string[];
  create(): T;
}
