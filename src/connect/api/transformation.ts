import type { AnyRecord } from '../data/records.js';
import type { ConfigDef } from './config-def.js';

/**
 * A single message transform (`org.apache.kafka.connect.transforms.Transformation`). `configure` gets the
 * transform's own keys (the `transforms.<alias>.` prefix removed). `apply` returns the new record, or
 * `null` to drop it; it must not change its input.
 */
export interface Transformation<R extends AnyRecord = AnyRecord> {
  configure(configs: Record<string, string>): void;
  apply(record: R): R | null;
  config(): ConfigDef;
  close(): void;
}

/** A condition on records that decides whether a transform applies (`...transforms.predicates.Predicate`). */
export interface Predicate<R extends AnyRecord = AnyRecord> {
  configure(configs: Record<string, string>): void;
  test(record: R): boolean;
  config(): ConfigDef;
  close(): void;
}
