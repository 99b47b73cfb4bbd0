/**
 * Tiny plugins for the validation and REST tests: a source and a sink connector with a few keys of their own,
 * a transformation, a predicate and a converter. Just enough to exercise ConfigInfos composition.
 */
import { ConfigDef, Validators } from '../../../src/connect/api/config-def.js';
import { SinkConnector, SinkTask, SourceConnector, SourceTask } from '../../../src/connect/api/connector.js';
import type { Converter } from '../../../src/connect/api/converter.js';
import type { PluginDescriptor } from '../../../src/connect/api/plugin.js';
import type { Predicate, Transformation } from '../../../src/connect/api/transformation.js';
import type { AnyRecord } from '../../../src/connect/data/records.js';
import type { SchemaAndValue } from '../../../src/connect/data/schema.js';
import { PluginRegistry } from '../../../src/connect/runtime/plugins.js';

class NoopSourceTask extends SourceTask {
  version() { return '1.0'; }
  start() {}
  async poll() { return null; }
  stop() {}
}
class NoopSinkTask extends SinkTask {
  version() { return '1.0'; }
  start() {}
  put() {}
  stop() {}
}

export class TestSourceConnector extends SourceConnector {
  private props: Record<string, string> = {};
  version() { return '1.0'; }
  start(props: Record<string, string>) { this.props = props; }
  taskClass() { return NoopSourceTask; }
  taskConfigs(maxTasks: number) { return Array.from({ length: maxTasks }, (_, i) => ({ ...this.props, 'task.index': String(i) })); }
  stop() {}
  config() {
    return new ConfigDef()
      .define({ name: 'file', type: 'STRING', importance: 'HIGH', documentation: 'Source filename.' })
      .define({ name: 'batch.size', type: 'INT', defaultValue: 2000, validator: Validators.atLeast(1), importance: 'LOW', documentation: 'Batch size.', group: 'Source', orderInGroup: 1, width: 'SHORT', displayName: 'Batch size' })
      .define({ name: 'secret', type: 'PASSWORD', defaultValue: 'changeme', importance: 'LOW', documentation: 'A secret.' });
  }
}

export class TestSinkConnector extends SinkConnector {
  private props: Record<string, string> = {};
  version() { return '1.0'; }
  start(props: Record<string, string>) { this.props = props; }
  taskClass() { return NoopSinkTask; }
  taskConfigs(maxTasks: number) { return Array.from({ length: maxTasks }, () => ({ ...this.props })); }
  stop() {}
  config() {
    return new ConfigDef().define({ name: 'file', type: 'STRING', defaultValue: null, importance: 'HIGH', documentation: 'Destination filename.' });
  }
}

class RenameTopic implements Transformation {
  private suffix = '';
  configure(c: Record<string, string>) { this.suffix = c.suffix ?? ''; }
  apply(r: AnyRecord) { return r.newRecord({ topic: r.topic + this.suffix }) as AnyRecord; }
  config() {
    return new ConfigDef()
      .define({ name: 'suffix', type: 'STRING', importance: 'MEDIUM', documentation: 'Suffix to append.' })
      .define({ name: 'repeat', type: 'INT', defaultValue: 1, importance: 'LOW', documentation: 'How often.' });
  }
  close() {}
}

class IsTopic implements Predicate {
  private topic = '';
  configure(c: Record<string, string>) { this.topic = c.topic ?? ''; }
  test(r: AnyRecord) { return r.topic === this.topic; }
  config() { return new ConfigDef().define({ name: 'topic', type: 'STRING', importance: 'MEDIUM', documentation: 'Topic.' }); }
  close() {}
}

class TestConverter implements Converter {
  configure() {}
  fromConnectData() { return null; }
  toConnectData(): SchemaAndValue { return { schema: null, value: null } as unknown as SchemaAndValue; }
  config() {
    return new ConfigDef()
      .define({ name: 'converter.type', type: 'STRING', importance: 'LOW', documentation: 'key or value.' })
      .define({ name: 'schemas.enable', type: 'BOOLEAN', defaultValue: true, importance: 'HIGH', documentation: 'Include schemas.', group: 'Converter', orderInGroup: 1, width: 'SHORT', displayName: 'Schemas' });
  }
}

export const TEST_PLUGINS: PluginDescriptor[] = [
  { className: 'com.example.TestSourceConnector', type: 'source', version: '1.0', create: () => new TestSourceConnector() },
  { className: 'com.example.TestSinkConnector', type: 'sink', version: '1.0', create: () => new TestSinkConnector() },
  { className: 'com.example.transforms.RenameTopic', type: 'transformation', create: () => new RenameTopic() },
  { className: 'com.example.predicates.IsTopic', type: 'predicate', create: () => new IsTopic() },
  { className: 'com.example.TestConverter', type: 'converter', create: () => new TestConverter() },
];

export function testRegistry(): PluginRegistry {
  return new PluginRegistry().register(...TEST_PLUGINS);
}
