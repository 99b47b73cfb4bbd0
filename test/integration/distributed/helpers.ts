/** A distributed worker as a child process (`tsconnect distributed worker.properties`), so tests can kill -9 it. */
import { WorkerProcess } from '../../helpers/worker-process.js';

export class DistributedWorkerProcess extends WorkerProcess {
  readonly workerId: string;

  constructor(dir: string, port: number, props: Record<string, string>) {
    super(dir, port, props, 'distributed');
    this.workerId = `127.0.0.1:${port}`;
  }
}

/**
 * The worker keys every distributed test starts from: one group over a single-broker cluster (replication
 * factor 1), its three internal topics named after the group, String converters, and group timings short
 * enough for tests. Callers spread their own keys over these.
 */
export function distributedTestProps(bootstrapServers: string, group: string): Record<string, string> {
  return {
    'bootstrap.servers': bootstrapServers,
    'group.id': group,
    'config.storage.topic': `${group}-configs`,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'session.timeout.ms': '6000',
    'heartbeat.interval.ms': '1000',
    'rebalance.timeout.ms': '20000',
    'offset.flush.interval.ms': '500',
  };
}
