/**
 * In-process consumer group membership, like Kafka's group coordinator with the eager protocol and the
 * range assignor: a change (member joins or leaves, a subscribed topic appears or disappears) starts a
 * new generation; every member gives up its partitions and joins it at its next poll; when all have
 * joined (or the stragglers are evicted after the rebalance timeout) partitions are assigned.
 */
import { topicPartition, type TopicPartition } from '../../api/connector.js';

export interface GroupMember {
  readonly memberId: string;
  /** Whether this member subscribes to the topic. */
  subscribes(topic: string): boolean;
  /** Wakes the member's pending poll (a rebalance started or finished). */
  signal(): void;
}

export interface TopicInfo {
  name: string;
  partitions: number;
}

export class GroupCoordinator {
  generation = 0;
  private readonly members = new Map<string, GroupMember>();
  private readonly joined = new Set<string>();
  private assignment: Map<string, TopicPartition[]> | null = null;
  private rebalanceStarted = 0;
  /** What the current generation was computed from, to notice topic changes. */
  private topicsKey = '';

  constructor(
    readonly groupId: string,
    private readonly topics: () => TopicInfo[],
    private readonly rebalanceTimeoutMs: number,
  ) {}

  get size(): number {
    return this.members.size;
  }

  isMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  add(member: GroupMember): void {
    this.members.set(member.memberId, member);
    this.startRebalance();
  }

  remove(memberId: string): void {
    if (this.members.delete(memberId)) this.startRebalance();
  }

  /**
   * A topic was created or deleted: rebalance when a member's subscription is affected (always with
   * `force`, e.g. a topic was deleted and created again).
   */
  topicsChanged(force = false): void {
    if (this.members.size > 0 && (force || this.subscribedKey() !== this.topicsKey)) this.startRebalance();
  }

  /** The member gave up its partitions and joins `generation`. */
  join(memberId: string, generation: number): void {
    if (generation !== this.generation || !this.members.has(memberId)) return;
    this.joined.add(memberId);
    this.maybeAssign();
  }

  /** The member's partitions in the current generation, or null while the group is still rebalancing. */
  assignmentFor(memberId: string): TopicPartition[] | null {
    if (this.assignment === null) this.maybeAssign();
    return this.assignment?.get(memberId) ?? (this.assignment ? [] : null);
  }

  private startRebalance(): void {
    this.generation++;
    this.joined.clear();
    this.assignment = null;
    this.rebalanceStarted = Date.now();
    for (const m of this.members.values()) m.signal();
  }

  private maybeAssign(): void {
    if (this.assignment !== null) return;
    if (this.joined.size < this.members.size) {
      if (Date.now() - this.rebalanceStarted < this.rebalanceTimeoutMs) return;
      // Members that did not poll within the rebalance timeout leave the group (they rejoin on their next poll).
      for (const id of [...this.members.keys()]) if (!this.joined.has(id)) this.members.delete(id);
    }
    this.topicsKey = this.subscribedKey();
    this.assignment = rangeAssign([...this.members.values()], this.topics());
    for (const m of this.members.values()) m.signal();
  }

  private subscribedKey(): string {
    const members = [...this.members.values()];
    return this.topics()
      .filter((t) => members.some((m) => m.subscribes(t.name)))
      .map((t) => `${t.name}:${t.partitions}`)
      .sort()
      .join(',');
  }
}

/**
 * Kafka's RangeAssignor: per topic, the subscribed members sorted by id each take a contiguous range;
 * the first `partitions % members` take one extra.
 */
export function rangeAssign(members: GroupMember[], topics: TopicInfo[]): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>();
  for (const m of members) out.set(m.memberId, []);
  const sortedTopics = [...topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of sortedTopics) {
    const subs = members
      .filter((m) => m.subscribes(t.name))
      .map((m) => m.memberId)
      .sort();
    if (subs.length === 0) continue;
    const per = Math.floor(t.partitions / subs.length);
    const extra = t.partitions % subs.length;
    subs.forEach((id, i) => {
      const start = per * i + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + length; p++) out.get(id)!.push(topicPartition(t.name, p));
    });
  }
  return out;
}
