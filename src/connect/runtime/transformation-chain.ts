/**
 * The transformation chain of a connector (`transforms`), each stage guarded by its optional predicate
 * (`transforms.X.predicate`, `transforms.X.negate`). Failures go through the task's error operator.
 */
import type { Predicate, Transformation } from '../api/transformation.js';
import type { AnyRecord } from '../data/records.js';
import { type ProcessingContext, type RetryWithToleranceOperator, SKIP } from './errors/retry-with-tolerance.js';

export interface TransformStage {
  alias: string;
  className: string;
  transform: Transformation;
  predicate: Predicate | null;
  negate: boolean;
}

export class TransformationChain {
  constructor(
    readonly stages: readonly TransformStage[],
    private readonly errors: RetryWithToleranceOperator,
  ) {}

  /** The transformed record, or null when a transform dropped it or a tolerated error skipped it. */
  apply<R extends AnyRecord>(record: R, context: Partial<ProcessingContext> = {}): R | null {
    let current: R = record;
    for (const stage of this.stages) {
      const input: R = current;
      if (stage.predicate && stage.predicate.test(input) === stage.negate) continue;
      const out: R | null | typeof SKIP = this.errors.run(
        'TRANSFORMATION',
        stage.className,
        (): R | null => stage.transform.apply(input) as R | null,
        context,
      );
      if (out === SKIP || out === null) return null;
      current = out;
    }
    return current;
  }

  close(): void {
    for (const s of this.stages) {
      s.transform.close();
      s.predicate?.close();
    }
  }
}
