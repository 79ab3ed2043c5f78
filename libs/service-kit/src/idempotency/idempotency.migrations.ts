import { AddIdempotencyKeyOwners1733200000000 } from './add-idempotency-key-owners.migration';
import { CreateIdempotencyKeys1732600000000 } from './create-idempotency-keys.migration';
import { IdempotencyKeysRoomForAnswers1733700000000 } from './room-for-answers.migration';

/** The tables `@Idempotent()` routes need, in order: add them to a service's migrations. */
export const IDEMPOTENCY_MIGRATIONS = [
  CreateIdempotencyKeys1732600000000,
  AddIdempotencyKeyOwners1733200000000,
  IdempotencyKeysRoomForAnswers1733700000000,
] as const;
