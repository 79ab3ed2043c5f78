import { randomUUID } from 'node:crypto';
import { currentRequestContext } from '@fulfil/service-kit';
import type { CommandContext } from '../application/command-context';

/** The command context of the HTTP request being handled (correlation id, caller, now). */
export function httpContext(caller: string | undefined): CommandContext {
  return {
    correlationId: currentRequestContext()?.correlationId ?? randomUUID(),
    actor: caller ?? 'unknown',
    now: new Date(),
  };
}
