/**
 * The producer of the embedded log. One send() writes each partition's records with one write call
 * and, under fsync=always, one fsync per partition shared with concurrent sends (group commit).
 */
import { ConnectException } from '../../errors.js';
import { DefaultPartitioner } from '../partitioner.js';
import type { ProducedMetadata, ProduceRecord, TopicProducer } from '../types.js';
import { toEncodable, type EncodableRecord } from './record-batch.js';
import type { PartitionLog } from './partition-log.js';

export interface ProducerHost {
  /** The topic's partition logs, creating the topic when auto-creation is on. */
  logsFor(topic: string): Promise<PartitionLog[]>;
}

export class EmbeddedProducer implements TopicProducer {
  private readonly partitioner = new DefaultPartitioner();
  private closed = false;

  constructor(private readonly host: ProducerHost) {}

  async send(records: ProduceRecord[]): Promise<ProducedMetadata[]> {
    if (this.closed) throw new ConnectException('Cannot perform operation after producer has been closed');
    if (records.length === 0) return [];
    const now = Date.now();
    const sticky = this.partitioner.beginSend();
    // Group by partition, keeping each partition's records in call order.
    const groups = new Map<PartitionLog, { records: EncodableRecord[]; indexes: number[] }>();
    const topicLogs = new Map<string, PartitionLog[]>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      let logs = topicLogs.get(r.topic);
      if (!logs) topicLogs.set(r.topic, (logs = await this.host.logsFor(r.topic)));
      let p = r.partition;
      if (p === null || p === undefined) p = this.partitioner.partition(r.topic, r.key, logs.length, sticky);
      else if (!Number.isInteger(p) || p < 0 || p >= logs.length) {
        throw new ConnectException(`Invalid partition given with record: ${p} is not in the range [0...${logs.length}).`);
      }
      const log = logs[p]!;
      let g = groups.get(log);
      if (!g) groups.set(log, (g = { records: [], indexes: [] }));
      g.records.push(toEncodable(r, now));
      g.indexes.push(i);
    }
    const out = new Array<ProducedMetadata>(records.length);
    await Promise.all(
      [...groups].map(async ([log, g]) => {
        const { baseOffset } = await log.append(g.records);
        g.indexes.forEach((recordIndex, j) => {
          out[recordIndex] = {
            topic: log.topic,
            partition: log.partition,
            offset: baseOffset + j,
            timestamp: g.records[j]!.timestamp,
          };
        });
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
