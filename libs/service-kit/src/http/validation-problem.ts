import type { ValidationError } from 'class-validator';
import { ProblemException, ProblemTypes, type FieldError } from './problem-details';

const childPath = (parent: string, property: string): string =>
  /^\d+$/.test(property) ? `${parent}[${property}]` : parent ? `${parent}.${property}` : property;

/**
 * Flattens class-validator's error tree into field errors with paths such as
 * `lines[0].quantity`, one per broken constraint, in a stable order.
 */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  parent = '',
): FieldError[] {
  return errors.flatMap((error) => {
    const field = childPath(parent, error.property);
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** The 400 validation problem naming every offending field. */
export class ValidationProblem extends ProblemException {
  constructor(readonly errors: readonly FieldError[]) {
    super({
      type: ProblemTypes.validationError,
      title: 'Validation failed',
      status: 400,
      detail: `Invalid request: ${[...new Set(errors.map((e) => e.field))].join(', ')}`,
      errors,
    });
  }

  /** `exceptionFactory` for Nest's `ValidationPipe`. */
  static fromValidationErrors(errors: ValidationError[]): ValidationProblem {
    return new ValidationProblem(flattenValidationErrors(errors));
  }
}
