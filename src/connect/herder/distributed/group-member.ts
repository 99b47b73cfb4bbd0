/**
 * Membership of the Connect group (Kafka's `WorkerGroupMember` + `WorkerCoordinator`): JoinGroup with
 * protocol type "connect" and the eager protocol's metadata, SyncGroup (the leader sends every member's
 * assignment), heartbeats in the background, LeaveGroup on shutdown. The group coordinator (the broker)
 * elects the leader; there is no consensus of our own.
 *
 * The requests are kafkajs's own (see ../../storage/kafka/kafkajs-internals.ts for why its Cluster is used).
 * A heartbeat answered with REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION or a coordinator
 * change, or heartbeats failing for a whole session timeout, marks the member as needing to rejoin and
 * calls `onRebalanceNeeded` so the herder revokes its work and calls join() again.
 */
import type { Logger } from 'pino';
import { type InternalBroker, type InternalCluster, protocolErrorType } from '../../storage/kafka/kafkajs-internals.js';
import {
  type ConnectAssignment,
  CONNECT_PROTOCOL_TYPE,
  deserializeAssignment,
  deserializeMetadata,
  EAGER_PROTOCOL,
  serializeAssignment,
  serializeMetadata,
  type WorkerState,
} from './connect-protocol.js';

export interface GroupMemberOptions {
  cluster: InternalCluster;
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** This worker's metadata for the next JoinGroup. */
  metadata(): WorkerState;
  /** Leader only: assignments for the members (ids -> their metadata). */
  assign(leaderId: string, members: Map<string, WorkerState>): Promise<Map<string, ConnectAssignment>>;
  onRebalanceNeeded(): void;
  log: Logger;
}

export interface JoinResult {
  generation: number;
  memberId: string;
  leaderId: string;
  isLeader: boolean;
  assignment: ConnectAssignment;
  /** Every member's metadata (leader only; empty otherwise). */
  members: Map<string, WorkerState>;
}

const REJOIN_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'FENCED_INSTANCE_ID']);

export class GroupMember {
  memberId = '';
  generation = -1;
  private coordinator: InternalBroker | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastHeartbeatOk = 0;
  private rejoin = true;
  private stopped = false;

  constructor(private readonly o: GroupMemberOptions) {}

  get needsRejoin(): boolean {
    return this.rejoin;
  }

  requestRejoin(): void {
    if (this.rejoin) return;
    this.rejoin = true;
    this.stopHeartbeats();
    this.o.onRebalanceNeeded();
  }

  /** Joins (or rejoins) the group and resolves with this member's assignment; retries until it succeeds or stop(). */
  async join(): Promise<JoinResult> {
    this.stopHeartbeats();
    let backoff = 200;
    for (;;) {
      if (this.stopped) throw new Error('group member stopped');
      try {
        const result = await this.joinOnce();
        this.rejoin = false;
        this.startHeartbeats();
        return result;
      } catch (e) {
        const type = protocolErrorType(e);
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'FENCED_INSTANCE_ID') this.memberId = '';
        if (type === 'NOT_COORDINATOR' || type === 'COORDINATOR_NOT_AVAILABLE' || type === undefined) this.coordinator = null;
        if (type !== 'REBALANCE_IN_PROGRESS') this.o.log.info({ err: e, group: this.o.groupId }, 'Joining the group failed; retrying');
        await sleep(type === 'REBALANCE_IN_PROGRESS' ? 0 : backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  private async coordinatorBroker(): Promise<InternalBroker> {
    if (!this.coordinator) {
      if (!this.o.cluster.isConnected()) await this.o.cluster.connect();
      this.coordinator = await this.o.cluster.findGroupCoordinator({ groupId: this.o.groupId });
    }
    return this.coordinator;
  }

  private async joinOnce(): Promise<JoinResult> {
    const broker = await this.coordinatorBroker();
    const joined = await broker.joinGroup({
      groupId: this.o.groupId,
      sessionTimeout: this.o.sessionTimeoutMs,
      rebalanceTimeout: this.o.rebalanceTimeoutMs,
      memberId: this.memberId,
      protocolType: CONNECT_PROTOCOL_TYPE,
      groupProtocols: [{ name: EAGER_PROTOCOL, metadata: serializeMetadata(this.o.metadata()) }],
    });
    this.memberId = joined.memberId;
    this.generation = joined.generationId;
    const isLeader = joined.leaderId === joined.memberId;
    const members = new Map<string, WorkerState>();
    let groupAssignment: { memberId: string; memberAssignment: Buffer }[] = [];
    if (isLeader) {
      for (const m of joined.members) members.set(m.memberId, deserializeMetadata(m.memberMetadata));
      const assignments = await this.o.assign(joined.leaderId, members);
      groupAssignment = [...assignments].map(([memberId, a]) => ({ memberId, memberAssignment: serializeAssignment(a) }));
    }
    const synced = await broker.syncGroup({ groupId: this.o.groupId, generationId: joined.generationId, memberId: joined.memberId, groupAssignment });
    const assignment = deserializeAssignment(synced.memberAssignment);
    this.o.log.info({ generation: joined.generationId, memberId: joined.memberId, leader: joined.leaderId, assignment }, 'Joined the Connect group');
    return { generation: joined.generationId, memberId: joined.memberId, leaderId: joined.leaderId, isLeader, assignment, members };
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    this.lastHeartbeatOk = Date.now();
    const beat = async () => {
      const timer = this.heartbeatTimer;
      try {
        const broker = await this.coordinatorBroker();
        await broker.heartbeat({ groupId: this.o.groupId, groupGenerationId: this.generation, memberId: this.memberId });
        this.lastHeartbeatOk = Date.now();
      } catch (e) {
        const type = protocolErrorType(e);
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID') this.memberId = '';
        if (type === 'NOT_COORDINATOR' || type === 'COORDINATOR_NOT_AVAILABLE' || type === undefined) this.coordinator = null;
        if ((type && REJOIN_ERRORS.has(type)) || Date.now() - this.lastHeartbeatOk > this.o.sessionTimeoutMs) {
          this.o.log.info({ type, group: this.o.groupId }, 'Group rebalance needed');
          this.requestRejoin();
          return;
        }
      }
      if (this.heartbeatTimer === timer && !this.rejoin) this.heartbeatTimer = setTimeout(() => void beat(), this.o.heartbeatIntervalMs);
    };
    this.heartbeatTimer = setTimeout(() => void beat(), this.o.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Leaves the group (the others rebalance at once instead of after the session timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeats();
    if (this.memberId && this.coordinator) {
      await this.coordinator.leaveGroup({ groupId: this.o.groupId, memberId: this.memberId }).catch(() => undefined);
    }
    await this.o.cluster.disconnect().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
