/**
 * How a metric group (a JMX MBean's object name) and an attribute become a Prometheus series. Dashboards
 * built for Kafka Connect and Debezium scrape the JVM through the Prometheus JMX exporter, so the worker
 * renders what that exporter renders:
 *
 * - Kafka Connect and everything else: the exporter's default format, `<domain>_<type>_<attribute>` with
 *   the other object-name keys as labels, every character outside `[a-zA-Z0-9_:]` as `_`:
 *     kafka.connect:type=source-task-metrics,connector=x,task=0  source-record-poll-total
 *     -> kafka_connect_source_task_metrics_source_record_poll_total{connector="x",task="0"}
 *     kafka.connect:type=connect-worker-metrics  connector-count -> kafka_connect_connect_worker_metrics_connector_count
 * - Debezium (`debezium.<plugin>` domains): the rules of Debezium's own monitoring example
 *   (debezium-examples/monitoring/debezium-jmx-exporter/config.yml, the one its Grafana dashboard reads),
 *   `debezium_metrics_<Attribute>` with the attribute's case kept, labels plugin, name (the `server` key,
 *   i.e. topic.prefix) and context, and the per-table map `RowsScanned` with a `table` label:
 *     debezium.postgres:type=connector-metrics,context=streaming,server=dbserver1  MilliSecondsBehindSource
 *     -> debezium_metrics_MilliSecondsBehindSource{plugin="postgres",name="dbserver1",context="streaming"}
 * - A string attribute (a status) is rendered as value 1 with the string under a label named after the
 *   attribute, like the exporter rules for `status`: kafka_connect_connector_task_metrics_status{...,status="running"} 1.
 * - Attributes ending in `-total` (and the plugin API's counters) are typed `counter`, everything else `gauge`.
 */

/** The exporter's name sanitising: anything outside [a-zA-Z0-9:_] becomes `_`, runs of `_` collapse. */
export function safeName(s: string): string {
  return s.replace(/[^a-zA-Z0-9:_]/g, '_').replace(/__+/g, '_');
}

/** A label name: anything outside [a-zA-Z0-9_] becomes `_`, and a leading digit gets a `_` before it. */
export function labelName(s: string): string {
  const n = s.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

export interface GroupName {
  domain: string;
  type: string;
  tags: Record<string, string>;
}

function debeziumPlugin(domain: string): string | null {
  return domain.startsWith('debezium.') ? domain.slice('debezium.'.length) : null;
}

export function metricName(group: GroupName, attribute: string): string {
  if (debeziumPlugin(group.domain) !== null) return safeName(`debezium_metrics_${attribute}`);
  return safeName(`${group.domain}_${group.type}_${attribute}`);
}

export function metricLabels(group: GroupName): Record<string, string> {
  const plugin = debeziumPlugin(group.domain);
  const out: Record<string, string> = {};
  if (plugin !== null) {
    out['plugin'] = plugin;
    for (const [k, v] of Object.entries(group.tags)) out[k === 'server' ? 'name' : labelName(k)] = v;
    return out;
  }
  for (const [k, v] of Object.entries(group.tags)) out[labelName(k)] = v;
  return out;
}

/** The object name as JMX would print it, used as a group's identity. */
export function objectName(group: GroupName): string {
  return `${group.domain}:type=${group.type}${Object.entries(group.tags).map(([k, v]) => `,${k}=${v}`).join('')}`;
}
