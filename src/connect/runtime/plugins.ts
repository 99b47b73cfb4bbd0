/**
 * The plugin registry: finds plugins by Java class name or alias (`org.apache.kafka.connect.json.JsonConverter`,
 * `JsonConverter`, `Json`), lists them for `GET /connector-plugins`, and loads third-party plugins from the
 * directories in `plugin.path` (npm packages whose main module exports `tsconnectPlugins: PluginDescriptor[]`).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginDescriptor, PluginInstance, PluginType } from '../api/plugin.js';
import { ConnectException } from '../errors.js';

const TYPE_SUFFIX: Record<PluginType, string> = {
  source: 'Connector',
  sink: 'Connector',
  converter: 'Converter',
  header_converter: 'HeaderConverter',
  transformation: 'Transformation',
  predicate: 'Predicate',
};

export class PluginRegistry {
  private readonly byClass = new Map<string, PluginDescriptor>();
  private readonly byAlias = new Map<string, PluginDescriptor | null>();

  register(...descriptors: PluginDescriptor[]): this {
    for (const d of descriptors) {
      this.byClass.set(d.className, d);
      for (const alias of aliasesOf(d)) {
        if (alias === d.className) continue;
        const existing = this.byAlias.get(alias);
        // Ambiguous aliases are dropped, as in Kafka Connect.
        this.byAlias.set(alias, existing === undefined || existing?.className === d.className ? d : null);
      }
    }
    return this;
  }

  /** The descriptor for a class name or unambiguous alias, or undefined. */
  find(nameOrAlias: string): PluginDescriptor | undefined {
    const key = nameOrAlias.trim();
    return this.byClass.get(key) ?? this.byAlias.get(key) ?? undefined;
  }

  /** Like `find`, restricted to some plugin types. */
  findOfType(nameOrAlias: string, ...types: PluginType[]): PluginDescriptor | undefined {
    const d = this.find(nameOrAlias);
    return d && types.includes(d.type) ? d : undefined;
  }

  /** Creates an instance, or throws Kafka Connect's "Failed to find any class ..." error. */
  create<T extends PluginInstance>(nameOrAlias: string, ...types: PluginType[]): T {
    const d = this.findOfType(nameOrAlias, ...types);
    if (!d) throw this.notFound(nameOrAlias, types);
    return d.create() as T;
  }

  notFound(nameOrAlias: string, types: PluginType[]): ConnectException {
    if (types.includes('source') || types.includes('sink')) {
      const available = this.all().filter((d) => d.type === 'source' || d.type === 'sink').map((d) => d.className);
      return new ConnectException(
        `Failed to find any class that implements Connector and which name matches ${nameOrAlias}, available connectors are: ${available.map(
          (c) => `PluginDesc{klass=class ${c}, name='${c}', version='${this.find(c)?.version ?? 'undefined'}', encodedVersion=${this.find(c)?.version ?? 'undefined'}, type=${this.find(c)?.type}, typeName='${this.find(c)?.type}', location='classpath'}`,
        ).join(', ')}`,
      );
    }
    return new ConnectException(`Class ${nameOrAlias} could not be found.`);
  }

  all(): PluginDescriptor[] {
    return [...this.byClass.values()];
  }

  /** Loads every package directory under each `plugin.path` entry (a directory of packages, or a package itself). */
  async loadPluginPath(pluginPath: string[]): Promise<string[]> {
    const loaded: string[] = [];
    for (const entry of pluginPath) {
      const dir = resolve(entry.trim());
      if (await isPackage(dir)) {
        loaded.push(...(await this.loadPackage(dir)));
        continue;
      }
      let children: string[];
      try {
        children = await readdir(dir);
      } catch {
        continue; // Kafka Connect skips plugin.path entries that do not exist.
      }
      for (const child of children.sort()) {
        const pkg = join(dir, child);
        if (await isPackage(pkg)) loaded.push(...(await this.loadPackage(pkg)));
      }
    }
    return loaded;
  }

  private async loadPackage(dir: string): Promise<string[]> {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { main?: string; exports?: unknown };
    const main = typeof manifest.exports === 'string' ? manifest.exports : manifest.main ?? 'index.js';
    const mod = (await import(pathToFileURL(join(dir, main)).href)) as { tsconnectPlugins?: PluginDescriptor[]; default?: { tsconnectPlugins?: PluginDescriptor[] } };
    const descriptors = mod.tsconnectPlugins ?? mod.default?.tsconnectPlugins;
    if (!Array.isArray(descriptors)) throw new ConnectException(`Plugin package ${dir} does not export tsconnectPlugins`);
    this.register(...descriptors);
    return descriptors.map((d) => d.className);
  }
}

async function isPackage(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'package.json'))).isFile();
  } catch {
    return false;
  }
}

/** Kafka's aliases: the simple class name, and the simple name minus the type suffix. */
export function aliasesOf(d: PluginDescriptor): string[] {
  const simple = d.className.slice(d.className.lastIndexOf('.') + 1);
  const out = [simple, ...(d.aliases ?? [])];
  const suffix = TYPE_SUFFIX[d.type];
  if (simple.endsWith(suffix) && simple.length > suffix.length) out.push(simple.slice(0, -suffix.length));
  return out;
}
