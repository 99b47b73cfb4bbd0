/**
 * The parts of kafkajs 2.2.4 that its public API does not expose but Kafka Connect needs: reading a topic
 * without a consumer group (Connect's KafkaBasedLog assigns partitions by hand) and speaking the group
 * protocol with `protocolType: "connect"` and our own member metadata (WorkerGroupMember).
 *
 * Why this way: kafkajs keeps one `Cluster` object per client (brokers, metadata, connections with SASL/SSL,
 * retries). `new Kafka(config)` builds it through a method stored under a private Symbol; calling it gives
 * the same Cluster a producer would get, with every request already encoded and decoded by kafkajs
 * (Fetch, JoinGroup v0-v5, SyncGroup, Heartbeat, LeaveGroup, FindCoordinator). That is less code, and
 * less risk, than encoding those requests ourselves. kafkajs is at its last release (2.2.4, Feb 2023), so
 * these internals will not move under us; `clusterOf` fails loudly if they ever do. Everything else goes
 * through the public API.
 */
import type { Kafka } from 'kafkajs';

export interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  headers?: Record<string, Buffer | Buffer[] | undefined>;
  isControlRecord?: boolean;
}

export interface FetchResponse {
  responses: {
    topicName: string;
    partitions: { partition: number; errorCode: number; highWatermark: string; messages: FetchedMessage[] }[];
  }[];
}

export interface JoinGroupResponse {
  generationId: number;
  groupProtocol: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; memberMetadata: Buffer }[];
}

/** A kafkajs Broker (one connection to one broker). */
export interface InternalBroker {
  fetch(request: {
    replicaId?: number;
    isolationLevel?: number;
    maxWaitTime?: number;
    minBytes?: number;
    maxBytes?: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<FetchResponse>;
  joinGroup(request: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    memberId: string;
    protocolType: string;
    groupProtocols: { name: string; metadata: Buffer }[];
  }): Promise<JoinGroupResponse>;
  syncGroup(request: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: { memberId: string; memberAssignment: Buffer }[];
  }): Promise<{ memberAssignment: Buffer }>;
  heartbeat(request: { groupId: string; groupGenerationId: number; memberId: string }): Promise<unknown>;
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}

/** A kafkajs Cluster: metadata and brokers of one client. */
export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(request: { nodeId: string | number }): Promise<InternalBroker>;
  findGroupCoordinator(request: { groupId: string }): Promise<InternalBroker>;
}

/** A fresh kafkajs Cluster for `kafka`'s configuration (brokers, SSL, SASL, timeouts, retries). */
export function clusterOf(kafka: Kafka): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  if (typeof create !== 'function') throw new Error('kafkajs internals changed: no createCluster (tsconnect needs kafkajs 2.2.x)');
  return (create as (o: object) => InternalCluster)({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, maxInFlightRequests: null });
}

/** kafkajs error `type` (e.g. `REBALANCE_IN_PROGRESS`), when it is a protocol error. */
export function protocolErrorType(e: unknown): string | undefined {
  const o = e as { type?: unknown; originalError?: unknown } | null;
  if (o && typeof o.type === 'string') return o.type;
  if (o && o.originalError) return protocolErrorType(o.originalError);
  return undefined;
}
