/**
 * A standalone worker in the test process on the embedded log under `dir`: JsonConverter keys and values,
 * offsets flushed every 500 ms, a free REST port, quiet logs; `extra` adds or overrides worker keys.
 */
import { join } from 'node:path';
import { startStandalone, type StandaloneWorker } from '../../src/connect/connect-standalone.js';
import { configureLogging } from '../../src/connect/logging.js';

export function startEmbeddedWorker(dir: string, extra: Record<string, string> = {}): Promise<StandaloneWorker> {
  return startStandalone(
    {
      listeners: 'http://127.0.0.1:0',
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': '500',
      'embedded.log.dir': join(dir, 'log'),
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      ...extra,
    },
    [],
    configureLogging({ level: 'ERROR' }),
  );
}
