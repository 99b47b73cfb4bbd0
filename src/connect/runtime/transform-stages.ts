/**
 * Builds a connector's transformation chain stages from its config (`transforms`, `transforms.X.type`,
 * `transforms.X.predicate`, `transforms.X.negate`, `predicates`, `predicates.P.type`), configuring each
 * plugin with its own prefixed keys.
 */
import type { Predicate, Transformation } from '../api/transformation.js';
import { ConfigException } from '../errors.js';
import type { PluginRegistry } from './plugins.js';
import type { TransformStage } from './transformation-chain.js';

function aliases(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function prefixed(config: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export function buildTransformStages(registry: PluginRegistry, config: Record<string, string>): TransformStage[] {
  const predicates = new Map<string, Predicate>();
  for (const alias of aliases(config['predicates'])) {
    const cls = config[`predicates.${alias}.type`];
    if (!cls) throw new ConfigException(`Missing required configuration "predicates.${alias}.type" which has no default value.`);
    const p = registry.create<Predicate>(cls, 'predicate');
    p.configure(prefixed(config, `predicates.${alias}.`));
    predicates.set(alias, p);
  }
  return aliases(config['transforms']).map((alias) => {
    const prefix = `transforms.${alias}.`;
    const cls = config[`${prefix}type`];
    if (!cls) throw new ConfigException(`Missing required configuration "${prefix}type" which has no default value.`);
    const descriptor = registry.findOfType(cls, 'transformation');
    if (!descriptor) throw new ConfigException(`${prefix}type`, cls, `Class ${cls} could not be found.`);
    const transform = descriptor.create() as Transformation;
    transform.configure(prefixed(config, prefix));
    const predicateAlias = config[`${prefix}predicate`]?.trim();
    const negate = (config[`${prefix}negate`] ?? 'false').trim().toLowerCase() === 'true';
    let predicate: Predicate | null = null;
    if (predicateAlias) {
      predicate = predicates.get(predicateAlias) ?? null;
      if (!predicate) throw new ConfigException(`${prefix}predicate`, predicateAlias, `Predicate ${predicateAlias} is not defined in 'predicates'`);
    }
    return { alias, className: descriptor.className, transform, predicate, negate };
  });
}
