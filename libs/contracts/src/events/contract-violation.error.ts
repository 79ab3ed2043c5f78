import type { z } from 'zod';

/** One problem with an event's data, named by its path (`lines[0].unitPrice.amountMinor`). */
export interface ContractIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Stable codes: `CONTRACT.UNKNOWN_EVENT` (no such type/version), `CONTRACT.SCHEMA_VIOLATION`. */
export type ContractViolationCode = 'CONTRACT.UNKNOWN_EVENT' | 'CONTRACT.SCHEMA_VIOLATION';

/**
 * Event data does not satisfy its contract, or the (type, version) is not a contract at all.
 * Producers refuse to publish such an event; consumers dead-letter it.
 */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';

  constructor(
    readonly code: ContractViolationCode,
    readonly eventType: string,
    readonly eventVersion: number,
    readonly issues: readonly ContractIssue[],
  ) {
    super(
      code === 'CONTRACT.UNKNOWN_EVENT'
        ? `${code}: no contract for ${eventType} v${eventVersion}`
        : `${code}: ${eventType} v${eventVersion}: ${issues
            .map((issue) => `${issue.path || '(root)'}: ${issue.message}`)
            .join('; ')}`,
    );
  }
}

/** Renders a zod path as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    return out === '' ? name : `${out}.${name}`;
  }, '');
}

/** zod issues → contract issues; an unknown property is reported at its own path. */
export function toContractIssues(issues: readonly z.core.$ZodIssue[]): ContractIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        code: 'unrecognized_key',
        message: 'unknown property',
      }));
    }
    return [{ path: formatPath(issue.path), code: issue.code, message: issue.message }];
  });
}
