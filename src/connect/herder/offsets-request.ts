/**
 * Checks and messages of the KIP-875 offsets endpoints (`PATCH|DELETE /connectors/{c}/offsets`), with Kafka
 * Connect's wording.
 */
import { type TopicPartition, topicPartition } from '../api/connector.js';
import type { ConnectorEntry } from '../storage/config-store.js';
import { BadRequestError, type ConnectorOffset } from './types.js';

/** Offsets may change only when the connector is STOPPED and has no tasks. */
export function checkOffsetsRequest(name: string, entry: ConnectorEntry): void {
  if (entry.targetState !== 'STOPPED' || (entry.taskConfigs?.length ?? 0) > 0) {
    throw new BadRequestError(
      `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
    );
  }
}

export function offsetsMessage(verb: 'altered' | 'reset', managedByConnector: boolean): { message: string } {
  return managedByConnector
    ? { message: `The offsets for this connector have been ${verb} successfully` }
    : {
        message: `The Connect framework-managed offsets for this connector have been ${verb} successfully. However, if this connector manages offsets externally, they will need to be manually ${verb} in the system that the connector uses.`,
      };
}

/** Parses sink offsets (`{kafka_topic, kafka_partition}` -> `{kafka_offset}` or null), with Kafka's 400 messages. */
export function parseSinkOffsets(offsets: ConnectorOffset[]): Map<TopicPartition, number | null> {
  const out = new Map<TopicPartition, number | null>();
  for (const { partition, offset } of offsets) {
    if (partition === null || partition === undefined) throw new BadRequestError('The partition for a sink connector offset cannot be null or missing');
    if (!('kafka_topic' in partition) || !('kafka_partition' in partition)) {
      throw new BadRequestError("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    }
    const topic = partition['kafka_topic'];
    if (topic === null || typeof topic !== 'string') throw new BadRequestError('Kafka topic names must be valid strings and may not be null');
    const rawPartition = partition['kafka_partition'];
    if (rawPartition === null) throw new BadRequestError('Kafka partitions must be valid numbers and may not be null');
    const p = parseInteger(rawPartition);
    if (p === null) {
      throw new BadRequestError(`Failed to parse the following Kafka partition value in the provided offsets: '${String(rawPartition)}'. Partition values for sink connectors need to be integers.`);
    }
    if (offset === null || offset === undefined) {
      out.set(topicPartition(topic, p), null);
      continue;
    }
    if (!('kafka_offset' in offset)) throw new BadRequestError("The offset for a sink connector should either be null or contain the key 'kafka_offset'");
    const o = parseInteger(offset['kafka_offset']);
    if (o === null) {
      throw new BadRequestError(`Failed to parse the following Kafka offset value in the provided offsets: '${String(offset['kafka_offset'])}'. Offset values for sink connectors need to be integers.`);
    }
    out.set(topicPartition(topic, p), o);
  }
  return out;
}

function parseInteger(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}
