/**
 * The contract of a config provider (Kafka's `org.apache.kafka.common.config.provider.ConfigProvider`): it is
 * configured once with its `config.providers.<name>.param.*` keys, then asked for the values of some keys
 * under a path. A key it does not have is simply absent from the answer.
 */
export interface ConfigData {
  data: Map<string, string>;
  /** Milliseconds the values stay valid (Kafka schedules a connector restart after it); none of ours sets it. */
  ttlMs?: number;
}

export interface ConfigProvider {
  configure(params: Record<string, string>): void;
  get(path: string, keys: ReadonlySet<string>): ConfigData;
}

/** How a provider explains an answer without the key: the text of the error raised for a missing reference. */
export interface ExplainsMissing {
  /**
   * Why `key` under `path` gave nothing, e.g. "the path is not allowed by allowed.paths", or null when
   * nothing is wrong but the key's absence.
   */
  explainPath(path: string, key: string): string | null;
}

export function explainsMissing(p: ConfigProvider): p is ConfigProvider & ExplainsMissing {
  return typeof (p as Partial<ExplainsMissing>).explainPath === 'function';
}
