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

interface Group {
  records: EncodableRecord[];
  indexes: number[];
}

export class EmbeddedProducer implements TopicProducer {
  private readonly partitioner = new DefaultPartitioner();
  private closed = false;

  constructor(private readonly host: ProducerHost) {}

  async send(records: ProduceRecord[]): Promise<ProducedMetadata[]> {
    if (this.closed) throw new ConnectException('Cannot perform operation after producer has been closed');
    if (records.length === 0) return [];
    const topicLogs = await this.logsOf(records);
    // Returned, not awaited here: this frame (and with it `records`, the converted bytes' views) is let go while
    // the write is fsync'd, so that the records die young (a long-lived object is promoted by V8's GC).
    return this.write(this.group(records, topicLogs), records.length);
  }

  /** The partition logs of each topic the records go to (a source task's batch usually has one). */
  private async logsOf(records: ProduceRecord[]): Promise<Map<string, PartitionLog[]>> {
    const topicLogs = new Map<string, PartitionLog[]>();
    let lastTopic: string | null = null;
    for (let i = 0; i < records.length; i++) {
      const topic = records[i]!.topic;
      if (topic === lastTopic || topicLogs.has(topic)) continue;
      topicLogs.set(topic, await this.host.logsFor(topic));
      lastTopic = topic;
    }
    return topicLogs;
  }

  /** The records encodable per partition log, each partition's in call order, with their indexes in the call. */
  private group(records: ProduceRecord[], topicLogs: Map<string, PartitionLog[]>): Map<PartitionLog, Group> {
    const now = Date.now();
    const sticky = this.partitioner.beginSend();
    const groups = new Map<PartitionLog, Group>();
    let lastTopic: string | null = null;
    let logs: PartitionLog[] = [];
    let lastLog: PartitionLog | null = null;
    let g: Group | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.topic !== lastTopic) {
        logs = topicLogs.get(r.topic)!;
        lastTopic = r.topic;
      }
      let p = r.partition;
      if (p === null || p === undefined) {
        // One partition: every key hashes to it and the sticky choice is it.
        p = logs.length === 1 ? 0 : this.partitioner.partition(r.topic, r.key, logs.length, sticky);
      } else if (!Number.isInteger(p) || p < 0 || p >= logs.length) {
        throw new ConnectException(`Invalid partition given with record: ${p} is not in the range [0...${logs.length}).`);
      }
      const log = logs[p]!;
      if (log !== lastLog) {
        g = groups.get(log);
        if (!g) groups.set(log, (g = { records: [], indexes: [] }));
        lastLog = log;
      }
      g!.records.push(toEncodable(r, now));
      g!.indexes.push(i);
    }
    return groups;
  }

  private async write(groups: Map<PartitionLog, Group>, count: number): Promise<ProducedMetadata[]> {
    const out = new Array<ProducedMetadata>(count);
    await Promise.all(
      [...groups].map(async ([log, g]) => {
        // Only the timestamps are needed once the records are encoded: the records themselves are let go
        // while the write is fsync'd.
        const timestamps = Float64Array.from(g.records, (r) => r.timestamp);
        const appended = log.append(g.records);
        g.records = [];
        const { baseOffset } = await appended;
        const { topic, partition } = log;
        for (let j = 0; j < g.indexes.length; j++) {
          out[g.indexes[j]!] = { topic, partition, offset: baseOffset + j, timestamp: timestamps[j]! };
        }
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
