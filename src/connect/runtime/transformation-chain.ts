/**
 * The transformation chain of a connector (`transforms`), each stage guarded by its optional predicate
 * (`transforms.X.predicate`, `transforms.X.negate`). Failures go through the task's error operator.
 */
import type { Predicate, Transformation } from '../api/transformation.js';
import type { AnyRecord } from '../data/records.js';
import type { ProcessingContext, RetryWithToleranceOperator } from './errors/retry-with-tolerance.js';

export interface TransformStage {
  alias: string;
  className: string;
  transform: Transformation;
  predicate: Predicate | null;
  negate: boolean;
}

const NO_CONTEXT: Partial<ProcessingContext> = Object.freeze({});

export class TransformationChain {
  constructor(
    readonly stages: readonly TransformStage[],
    private readonly errors: RetryWithToleranceOperator,
  ) {}

  /** The transformed record, or null when a transform dropped it or a tolerated error skipped it. */
  apply<R extends AnyRecord>(record: R, context: Partial<ProcessingContext> = NO_CONTEXT): R | null {
    // Hot path: one try around the loop rather than a closure and an operator call per stage; a failure
    // is handed to the operator afterwards (see `failed`) with the stage it happened in.
    const stages = this.stages;
    let current: R = record;
    let i = 0;
    try {
      for (; i < stages.length; i++) {
        const stage = stages[i]!;
        // Like Kafka's TransformationStage, the predicate runs inside the stage's error handling.
        if (stage.predicate && stage.predicate.test(current) === stage.negate) continue;
        const out = stage.transform.apply(current) as R | null;
        if (out === null) return null;
        current = out;
      }
    } catch (e) {
      return this.failed(stages[i]!, e, context);
    }
    return current;
  }

  close(): void {
    for (const s of this.stages) {
      s.transform.close();
      s.predicate?.close();
    }
  }

  /**
   * The operator's verdict on a stage's failure, exactly as if the stage had run inside `errors.run`:
   * SKIP (null here) when tolerated, otherwise it throws (ToleranceExceededError, or RetryNeeded).
   */
  private failed(stage: TransformStage, error: unknown, context: Partial<ProcessingContext>): null {
    this.errors.run(
      'TRANSFORMATION',
      stage.className,
      () => {
        throw error;
      },
      context,
    );
    return null;
  }
}
