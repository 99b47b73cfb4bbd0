/**
 * What a plugin may publish on the worker's `GET /metrics` (through `context.metrics` of its task context).
 * A group is the equivalent of a JMX MBean `<domain>:type=<type>,<tag>=<value>,...`; its attributes are read
 * when the endpoint is scraped, so a task keeps plain numbers up to date on its hot path and no metrics
 * library call happens per record. Groups a task opens are closed by the runtime when the task stops.
 *
 * Names follow the worker's Prometheus naming (src/connect/metrics/naming.ts): Kafka-style kebab-case
 * attributes (`records-seen-total`) or Debezium's JMX attribute names (`MilliSecondsBehindSource`).
 */
export type MetricValue = number | boolean | null;

export interface MetricGroup {
  /** A value read at scrape time (null: not exported this time). Booleans become 1/0. */
  gauge(attribute: string, read: () => MetricValue, help?: string): MetricGroup;
  /** A total that only grows (rendered as a Prometheus counter). */
  counter(attribute: string, read: () => number, help?: string): MetricGroup;
  /** Several values told apart by one extra label (e.g. Debezium's `RowsScanned` per table). */
  keyed(attribute: string, label: string, read: () => Iterable<readonly [string, number]>, help?: string): MetricGroup;
  /** A string attribute (a status): rendered as value 1 with the string under a label of the attribute's name. */
  info(attribute: string, read: () => string | null, help?: string): MetricGroup;
  /** Runs before each scrape (bounded by the worker), for values that are fetched asynchronously. */
  beforeScrape(refresh: () => Promise<void>): MetricGroup;
  /** Removes the group's series. */
  close(): void;
}

export interface PluginMetrics {
  /**
   * A group of metrics, e.g. `group('debezium.postgres', 'connector-metrics', { context: 'streaming', server })`.
   * Opening a group with the same identity again replaces the earlier one.
   */
  group(domain: string, type: string, tags: Record<string, string>): MetricGroup;
}
