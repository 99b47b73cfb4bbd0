/**
 * Committed offsets of consumer groups, one JSON file per group under `<dir>/groups/`, each replaced
 * atomically (temp + fsync + rename). Files are named by a hash of the group id (ids may hold any
 * character); the id itself is inside. Updates re-read the file first, so a `tsconnect consume` in another
 * process committing for its own group does not clobber the worker's groups.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { topicPartition, type TopicPartition } from '../../api/connector.js';
import { readJsonIfExists, writeFileAtomic } from './files.js';

interface GroupFile {
  group: string;
  offsets: { topic: string; partition: number; offset: number }[];
}

export type GroupOffsets = Map<TopicPartition, number>;

export class GroupStore {
  private readonly cache = new Map<string, GroupOffsets>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly durable: boolean,
  ) {}

  private file(groupId: string): string {
    return path.join(this.dir, createHash('sha256').update(groupId).digest('hex').slice(0, 40) + '.json');
  }

  private async readFile(groupId: string): Promise<GroupOffsets> {
    const data = await readJsonIfExists<GroupFile>(this.file(groupId));
    const map: GroupOffsets = new Map();
    if (data && data.group === groupId) {
      for (const o of data.offsets) map.set(topicPartition(o.topic, o.partition), o.offset);
    }
    return map;
  }

  /** The group's committed offsets; `fresh` re-reads the file (another process may have written it). */
  async get(groupId: string, fresh = false): Promise<GroupOffsets> {
    let map = this.cache.get(groupId);
    if (!map || fresh) {
      map = await this.readFile(groupId);
      this.cache.set(groupId, map);
    }
    return map;
  }

  /** Sets (number) or removes (null) offsets; persisted before it resolves. Serialised per group. */
  update(groupId: string, changes: Map<TopicPartition, number | null>): Promise<void> {
    return this.serial(groupId, async () => {
      const map = await this.readFile(groupId);
      for (const [tp, off] of changes) {
        if (off === null) map.delete(tp);
        else map.set(tp, off);
      }
      await this.write(groupId, map);
    });
  }

  delete(groupId: string): Promise<void> {
    return this.serial(groupId, async () => {
      await fs.rm(this.file(groupId), { force: true });
      this.cache.set(groupId, new Map());
    });
  }

  /** Drops a deleted topic's offsets from every group. */
  async removeTopic(topic: string): Promise<void> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const data = await readJsonIfExists<GroupFile>(path.join(this.dir, name)).catch(() => null);
      if (!data || !data.offsets.some((o) => o.topic === topic)) continue;
      const changes = new Map<TopicPartition, null>();
      for (const o of data.offsets) if (o.topic === topic) changes.set(topicPartition(o.topic, o.partition), null);
      await this.update(data.group, changes);
    }
  }

  private async write(groupId: string, map: GroupOffsets): Promise<void> {
    this.cache.set(groupId, map);
    if (map.size === 0) {
      await fs.rm(this.file(groupId), { force: true });
      return;
    }
    const file: GroupFile = {
      group: groupId,
      offsets: [...map].map(([tp, offset]) => ({ topic: tp.topic, partition: tp.partition, offset })),
    };
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.file(groupId), JSON.stringify(file), this.durable);
  }

  private serial<T>(groupId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(groupId) ?? Promise.resolve();
    const next = prev.then(fn);
    this.queues.set(groupId, next.catch(() => undefined));
    return next;
  }
}
