/**
 * Connector and task statuses, and the topics each connector has used (`StatusBackingStore`). Standalone keeps
 * them in memory (they describe the running process); the Kafka status topic implements the same interface.
 */
import type { State } from '../herder/types.js';

export interface StatusEntry {
  state: State;
  trace: string | null;
  workerId: string;
  generation: number;
}

export interface StatusBackingStore {
  connector(name: string): StatusEntry | undefined;
  task(connector: string, task: number): StatusEntry | undefined;
  tasks(connector: string): Map<number, StatusEntry>;
  putConnector(name: string, status: StatusEntry): void;
  putTask(connector: string, task: number, status: StatusEntry): void;
  /** DESTROYED: the entry disappears. */
  removeConnector(name: string): void;
  removeTask(connector: string, task: number): void;
  activeTopics(connector: string): string[];
  addActiveTopic(connector: string, topic: string): void;
  resetActiveTopics(connector: string): void;
}

export class MemoryStatusStore implements StatusBackingStore {
  private readonly connectors = new Map<string, StatusEntry>();
  private readonly taskStatuses = new Map<string, Map<number, StatusEntry>>();
  private readonly topics = new Map<string, Set<string>>();

  connector(name: string): StatusEntry | undefined {
    return this.connectors.get(name);
  }
  task(connector: string, task: number): StatusEntry | undefined {
    return this.taskStatuses.get(connector)?.get(task);
  }
  tasks(connector: string): Map<number, StatusEntry> {
    return new Map([...(this.taskStatuses.get(connector) ?? new Map<number, StatusEntry>())].sort((a, b) => a[0] - b[0]));
  }
  putConnector(name: string, status: StatusEntry): void {
    this.connectors.set(name, status);
  }
  putTask(connector: string, task: number, status: StatusEntry): void {
    let m = this.taskStatuses.get(connector);
    if (!m) this.taskStatuses.set(connector, (m = new Map()));
    m.set(task, status);
  }
  removeConnector(name: string): void {
    this.connectors.delete(name);
    this.taskStatuses.delete(name);
  }
  removeTask(connector: string, task: number): void {
    this.taskStatuses.get(connector)?.delete(task);
  }
  activeTopics(connector: string): string[] {
    return [...(this.topics.get(connector) ?? [])].sort();
  }
  addActiveTopic(connector: string, topic: string): void {
    let s = this.topics.get(connector);
    if (!s) this.topics.set(connector, (s = new Set()));
    s.add(topic);
  }
  resetActiveTopics(connector: string): void {
    this.topics.delete(connector);
  }
}
