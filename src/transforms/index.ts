/**
 * Every transformation and predicate this worker ships, as plugin descriptors for the registry (Java class
 * names exactly as Kafka Connect and Debezium name them).
 */
import type { PluginDescriptor } from '../connect/api/plugin.js';
import { Cast } from './cast.js';
import { ExtractField } from './extract-field.js';
import { Filter } from './filter.js';
import { Flatten } from './flatten.js';
import { DropHeaders, InsertHeader } from './headers.js';
import { HeaderFrom } from './header-from.js';
import { HoistField } from './hoist-field.js';
import { InsertField } from './insert-field.js';
import { MaskField } from './mask-field.js';
import { ReplaceField } from './replace-field.js';
import { RegexRouter, TimestampRouter } from './routers.js';
import { SetSchemaMetadata } from './set-schema-metadata.js';
import { TimestampConverter } from './timestamp-converter.js';
import { ValueToKey } from './value-to-key.js';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates/index.js';
import { ExtractNewRecordState } from './debezium/extract-new-record-state.js';
import { MnistToCsv } from './debezium/mnist-to-csv.js';
import { ByLogicalTableRouter } from './debezium/by-logical-table-router.js';
import { DEBEZIUM_VERSION, keyValueDescriptors, predicateDescriptor, transformDescriptor } from './util/key-value.js';

const K = 'org.apache.kafka.connect.transforms.';
const P = 'org.apache.kafka.connect.transforms.predicates.';

export const transformPlugins: PluginDescriptor[] = [
  ...keyValueDescriptors(K + 'Cast', (side) => new Cast(side)),
  transformDescriptor(K + 'DropHeaders', () => new DropHeaders()),
  ...keyValueDescriptors(K + 'ExtractField', (side) => new ExtractField(side)),
  transformDescriptor(K + 'Filter', () => new Filter()),
  ...keyValueDescriptors(K + 'Flatten', (side) => new Flatten(side)),
  ...keyValueDescriptors(K + 'HeaderFrom', (side) => new HeaderFrom(side)),
  ...keyValueDescriptors(K + 'HoistField', (side) => new HoistField(side)),
  ...keyValueDescriptors(K + 'InsertField', (side) => new InsertField(side)),
  transformDescriptor(K + 'InsertHeader', () => new InsertHeader()),
  ...keyValueDescriptors(K + 'MaskField', (side) => new MaskField(side)),
  transformDescriptor(K + 'RegexRouter', () => new RegexRouter()),
  ...keyValueDescriptors(K + 'ReplaceField', (side) => new ReplaceField(side)),
  ...keyValueDescriptors(K + 'SetSchemaMetadata', (side) => new SetSchemaMetadata(side)),
  ...keyValueDescriptors(K + 'TimestampConverter', (side) => new TimestampConverter(side)),
  transformDescriptor(K + 'TimestampRouter', () => new TimestampRouter()),
  transformDescriptor(K + 'ValueToKey', () => new ValueToKey()),
  predicateDescriptor(P + 'HasHeaderKey', () => new HasHeaderKey()),
  predicateDescriptor(P + 'RecordIsTombstone', () => new RecordIsTombstone()),
  predicateDescriptor(P + 'TopicNameMatches', () => new TopicNameMatches()),
  transformDescriptor('io.debezium.transforms.ExtractNewRecordState', () => new ExtractNewRecordState(), DEBEZIUM_VERSION),
  transformDescriptor('io.debezium.transforms.MnistToCsv', () => new MnistToCsv(), DEBEZIUM_VERSION),
  transformDescriptor('io.debezium.transforms.ByLogicalTableRouter', () => new ByLogicalTableRouter(), DEBEZIUM_VERSION),
];

export {
  Cast, DropHeaders, ExtractField, Filter, Flatten, HeaderFrom, HoistField, InsertField, InsertHeader, MaskField, RegexRouter,
  ReplaceField, SetSchemaMetadata, TimestampConverter, TimestampRouter, ValueToKey, HasHeaderKey, RecordIsTombstone,
  TopicNameMatches, ExtractNewRecordState, MnistToCsv, ByLogicalTableRouter,
};
