import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { Logging, parseLog4jLevel } from '../../../src/connect/logging.js';

function sink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { stream, lines };
}

describe('Logging (/admin/loggers model)', () => {
  test('named loggers inherit the nearest ancestor level and follow namespace changes', () => {
    const out = sink();
    let now = 1000;
    const logging = new Logging({ level: 'WARN', destination: out.stream, now: () => now });
    const pg = logging.getLogger('io.debezium.connector.postgresql.PostgresConnector');
    const other = logging.getLogger('org.apache.kafka.connect.runtime.Worker');
    pg.info('hidden');
    assert.equal(out.lines.length, 0);
    assert.deepEqual(logging.allLevels(), { root: { level: 'WARN', last_modified: null } });

    now = 2000;
    assert.deepEqual(logging.setLevel('io.debezium', 'DEBUG'), ['io.debezium', 'io.debezium.connector.postgresql.PostgresConnector']);
    pg.debug('shown');
    other.info('still hidden');
    assert.equal(out.lines.length, 1);
    assert.match(out.lines[0]!, /"name":"io.debezium.connector.postgresql.PostgresConnector"/);
    assert.deepEqual(logging.level('io.debezium.connector.postgresql.PostgresConnector'), { level: 'DEBUG', last_modified: 2000 });
    assert.deepEqual(logging.level('org.apache.kafka.connect.runtime.Worker'), { level: 'WARN', last_modified: null });
    assert.equal(logging.level('not.a.logger'), null);
    // loggers created later inherit from their namespace
    assert.equal(logging.getLogger('io.debezium.x').level, 'debug');
    assert.deepEqual(Object.keys(logging.allLevels()), ['io.debezium', 'io.debezium.connector.postgresql.PostgresConnector', 'root']);
  });

  test('root changes every logger; level names are log4j', () => {
    const logging = new Logging({ level: 'info', destination: sink().stream });
    logging.getLogger('a.b');
    assert.deepEqual(logging.setLevel('ROOT', 'ERROR'), ['a.b', 'root']);
    assert.equal(logging.level('root')!.level, 'ERROR');
    assert.equal(logging.getLogger('a.b').level, 'error');
    assert.equal(parseLog4jLevel('trace'), 'TRACE');
    assert.equal(parseLog4jLevel('verbose'), null);
  });
});
