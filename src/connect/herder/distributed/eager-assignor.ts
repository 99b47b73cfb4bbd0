/**
 * The leader's assignment (Kafka's `EagerAssignor`): members sorted by id, connectors sorted by name; all
 * connectors first, round robin, then every connector's tasks continuing the same round robin (so the
 * connector instances and the tasks do not pile up on the same workers).
 */
import { type ConnectAssignment, CONFIG_MISMATCH, NO_ERROR, type WorkerState } from './connect-protocol.js';
import type { ConnectorTaskId } from '../types.js';

export interface ConfigSnapshot {
  /** Offset of the config topic this snapshot reflects. */
  offset: number;
  connectors: string[];
  taskCount(connector: string): number;
}

export function eagerAssignment(leaderId: string, members: Map<string, WorkerState>, snapshot: ConfigSnapshot): Map<string, ConnectAssignment> {
  const leaderUrl = members.get(leaderId)?.url ?? '';
  const maxOffset = Math.max(...[...members.values()].map((m) => m.configOffset));
  const ids = [...members.keys()].sort();
  const out = new Map<string, ConnectAssignment>();
  if (snapshot.offset < maxOffset) {
    for (const id of ids) out.set(id, { error: CONFIG_MISMATCH, leader: leaderId, leaderUrl, configOffset: maxOffset, connectors: [], tasks: [] });
    return out;
  }
  for (const id of ids) out.set(id, { error: NO_ERROR, leader: leaderId, leaderUrl, configOffset: snapshot.offset, connectors: [], tasks: [] });
  let next = 0;
  const member = () => out.get(ids[next++ % ids.length]!)!;
  const connectors = [...snapshot.connectors].sort();
  for (const c of connectors) member().connectors.push(c);
  for (const c of connectors) {
    const tasks: ConnectorTaskId[] = Array.from({ length: snapshot.taskCount(c) }, (_, task) => ({ connector: c, task }));
    for (const t of tasks) member().tasks.push(t);
  }
  return out;
}
