/** Validators of `transforms.util` (NonEmptyListValidator, RegexValidator) with Kafka's wording. */
import { invalid, type Validator } from '../../connect/api/config-def.js';

export const nonEmptyList: Validator = {
  ensureValid(name, value) {
    if (value === null || value === undefined || (value as unknown[]).length === 0) throw invalid(name, value ?? '', 'Empty list');
  },
  toString: () => 'non-empty list',
};

/** Kafka's `ConfigDef.NonEmptyString` (null allowed). */
export const nonEmptyStringOrNull: Validator = {
  ensureValid(name, value) {
    if (value !== null && value !== undefined && String(value).length === 0) throw invalid(name, value, 'String must be non-empty');
  },
  toString: () => 'non-empty string',
};

export const nonNull: Validator = {
  ensureValid(name, value) {
    if (value === null || value === undefined) throw invalid(name, value ?? null, 'Value must be non-null');
  },
  toString: () => 'non-null',
};
