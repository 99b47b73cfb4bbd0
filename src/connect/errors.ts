/**
 * Errors of the Connect runtime, as a small class tree with a `retriable` flag (the retry logic looks only
 * at that flag) and the Java class name that Kafka Connect would show in a status trace.
 */
export class ConnectException extends Error {
  /** Java class name shown in status traces, e.g. `org.apache.kafka.connect.errors.ConnectException`. */
  javaClass = 'org.apache.kafka.connect.errors.ConnectException';
  readonly retriable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class DataException extends ConnectException {
  override javaClass = 'org.apache.kafka.connect.errors.DataException';
}

export class SchemaBuilderException extends DataException {
  override javaClass = 'org.apache.kafka.connect.errors.SchemaBuilderException';
}

export class RetriableException extends ConnectException {
  override javaClass = 'org.apache.kafka.connect.errors.RetriableException';
  override readonly retriable: boolean = true;
}

export class NotFoundException extends ConnectException {
  override javaClass = 'org.apache.kafka.connect.errors.NotFoundException';
}

export class AlreadyExistsException extends ConnectException {
  override javaClass = 'org.apache.kafka.connect.errors.AlreadyExistsException';
}

/** Invalid configuration (Kafka's `org.apache.kafka.common.config.ConfigException`). */
export class ConfigException extends ConnectException {
  override javaClass = 'org.apache.kafka.common.config.ConfigException';
  constructor(nameOrMessage: string, value?: unknown, reason?: string) {
    super(
      arguments.length === 1
        ? nameOrMessage
        : `Invalid value ${renderValue(value)} for configuration ${nameOrMessage}${reason ? ': ' + reason : ''}`,
    );
  }
}

function renderValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}

/**
 * The text Kafka Connect stores as a status `trace`: `<java class>: <message>` followed by stack frames and
 * `Caused by:` sections, like Java's `Throwable.printStackTrace`.
 */
export function errorTrace(err: unknown): string {
  const lines: string[] = [];
  let current: unknown = err;
  let first = true;
  const seen = new Set<unknown>();
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const e = current instanceof Error ? current : new Error(String(current));
    const cls = (e as { javaClass?: string }).javaClass ?? e.name ?? 'Error';
    const head = `${first ? '' : 'Caused by: '}${cls}${e.message ? ': ' + e.message : ''}`;
    lines.push(head);
    const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
    for (const f of frames) lines.push('\t' + f.trim());
    current = (e as { cause?: unknown }).cause;
    first = false;
  }
  return lines.join('\n');
}
