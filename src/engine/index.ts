/** The embedded engine: run a source connector and its transforms inside a Node application. */
export { createEngine } from './engine.js';
export { changeStream, type ChangeStream, type ChangeStreamOptions } from './change-stream.js';
export { engineConfigDef, ENGINE_KEYS } from './engine-config.js';
export { CloudEventsConverter, CLOUDEVENTS_CONVERTER_CLASS } from './cloudevents.js';
export type {
  BatchHandler,
  ChangeEvent,
  Engine,
  EngineCallbacks,
  EngineCompletion,
  EngineFormat,
  EngineOptions,
  EngineProperties,
  EnginePropertyValue,
  EventHeader,
  FormatRecord,
  RecordCommitter,
  RecordHandler,
} from './types.js';
export { MemoryOffsetStore, FileOffsetStore, type OffsetBackingStore } from '../connect/storage/offset-store.js';
