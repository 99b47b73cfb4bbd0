/**
 * `GET /connector-plugins`: sink connectors, then source connectors (each sorted by class name), and with
 * `connectorsOnly=false` transformations, predicates, converters and header converters.
 */
import type { PluginType } from '../api/plugin.js';
import type { PluginRegistry } from '../runtime/plugins.js';
import type { PluginInfo } from './types.js';

const ORDER: PluginType[] = ['sink', 'source', 'transformation', 'predicate', 'converter', 'header_converter'];

export function listPlugins(registry: PluginRegistry, connectorsOnly: boolean): PluginInfo[] {
  const types = connectorsOnly ? ORDER.slice(0, 2) : ORDER;
  const out: PluginInfo[] = [];
  for (const type of types) {
    const ofType = registry.all().filter((d) => d.type === type).sort((a, b) => a.className.localeCompare(b.className));
    for (const d of ofType) out.push(d.version && d.version !== 'undefined' ? { class: d.className, type, version: d.version } : { class: d.className, type });
  }
  return out;
}
