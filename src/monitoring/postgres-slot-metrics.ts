/**
 * The replication slot of each Postgres source connector whose task runs on this worker
 * (`tsconnect:type=postgres-slot-metrics,connector=..,server=<topic.prefix>,slot=<slot.name>`):
 * `confirmed-lag-bytes` (pg_current_wal_lsn() - confirmed_flush_lsn), `retained-wal-bytes`
 * (pg_current_wal_lsn() - restart_lsn) and `active`. Read with the console's SlotProbe (its own small pool,
 * never the task's connections, so the stream is never held up), at most every `everyMs`, when /metrics is
 * scraped; in between the last values are repeated.
 */
import type { ConnectMetrics, Group } from '../connect/metrics/connect-metrics.js';
import type { Herder } from '../connect/herder/types.js';
import { type SlotInfo, SlotProbe, isPostgresConnector } from '../console/pg-slot.js';

interface Entry {
  key: string;
  group: Group;
  info: SlotInfo | null;
  probedAt: number;
  probing: Promise<void> | null;
}

export function installSlotMetrics(
  metrics: ConnectMetrics,
  herder: Herder,
  runsHere: (connector: string) => boolean,
  probe: SlotProbe = new SlotProbe(),
  everyMs = 5000,
): () => Promise<void> {
  const entries = new Map<string, Entry>();
  const refresh = async (): Promise<void> => {
    const live = new Set<string>();
    const waits: Promise<void>[] = [];
    for (const name of herder.connectors()) {
      if (!runsHere(name)) continue;
      const config = await herder.connectorConfig(name).catch(() => null);
      if (!config || !isPostgresConnector(config)) continue;
      live.add(name);
      const slot = config['slot.name'] ?? 'debezium';
      const server = config['topic.prefix'] ?? '';
      const key = `${slot}|${server}`;
      let e = entries.get(name);
      if (e && e.key !== key) {
        e.group.close();
        e = undefined;
      }
      if (!e) {
        const entry: Entry = { key, info: null, probedAt: 0, probing: null, group: metrics.group('tsconnect', 'postgres-slot-metrics', { connector: name, server, slot }, { connector: name }) };
        entry.group
          .gauge('confirmed-lag-bytes', () => entry.info?.confirmedLagBytes ?? null, 'Bytes of WAL between the server\'s current position and the position the connector confirmed (confirmed_flush_lsn).')
          .gauge('retained-wal-bytes', () => entry.info?.retainedWalBytes ?? null, 'Bytes of WAL the server keeps for the slot (current position - restart_lsn).')
          .gauge('active', () => (entry.info?.found ? entry.info.active : null), 'Whether a replication connection uses the slot.');
        entries.set(name, (e = entry));
      }
      const entry = e;
      if (Date.now() - entry.probedAt >= everyMs) {
        entry.probedAt = Date.now();
        entry.probing ??= probe
          .probe(config)
          .then((info) => {
            entry.info = info.found ? info : null;
          })
          .catch(() => {
            entry.info = null;
          })
          .finally(() => {
            entry.probing = null;
          });
      }
      if (entry.probing) waits.push(entry.probing);
    }
    for (const [name, e] of entries) {
      if (!live.has(name)) {
        e.group.close();
        entries.delete(name);
      }
    }
    await Promise.all(waits);
  };
  const remove = metrics.beforeScrape(refresh);
  return async () => {
    remove();
    for (const e of entries.values()) e.group.close();
    entries.clear();
    await probe.close();
  };
}
