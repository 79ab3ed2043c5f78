import { isDomainError } from '@fulfil/decider';
import { PROBLEM_TYPE_BASE, ProblemException } from '@fulfil/service-kit';

/** HTTP status and problem slug of each inventory domain error code. */
const PROBLEMS: Readonly<Record<string, { status: number; slug: string; title: string }>> = {
  'INVENTORY.SKU_UNKNOWN': { status: 404, slug: 'sku-unknown', title: 'Unknown SKU' },
  'INVENTORY.LOCATION_UNKNOWN': {
    status: 422,
    slug: 'location-unknown',
    title: 'Unknown location',
  },
  'INVENTORY.ADJUSTMENT_BELOW_RESERVED': {
    status: 409,
    slug: 'adjustment-below-reserved',
    title: 'Adjustment would go below reserved stock',
  },
  'INVENTORY.INVALID_QUANTITY': {
    status: 400,
    slug: 'invalid-quantity',
    title: 'Invalid quantity',
  },
  'INVENTORY.RECEIPT_ID_REUSED': {
    status: 409,
    slug: 'receipt-id-reused',
    title: 'Receipt id already used',
  },
  'INVENTORY.LOCATION_ID_TAKEN': {
    status: 409,
    slug: 'location-id-taken',
    title: 'Location id already taken',
  },
};

/** Runs `work`, answering known domain errors as problem details (stable `type` and `code`). */
export async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const problem = isDomainError(error) ? PROBLEMS[error.code] : undefined;
    if (!problem || !isDomainError(error)) throw error;
    throw new ProblemException({
      type: `${PROBLEM_TYPE_BASE}inventory/${problem.slug}`,
      title: problem.title,
      status: problem.status,
      detail: error.message,
      code: error.code,
      ...error.details,
    });
  }
}

/** 404 for a resource of this service that does not exist. */
export function notFound(what: string, id: string): ProblemException {
  return new ProblemException({
    type: `${PROBLEM_TYPE_BASE}not-found`,
    title: 'Not found',
    status: 404,
    detail: `${what} ${id} does not exist`,
  });
}
