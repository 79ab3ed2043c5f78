import type { ErrorCode } from '../protocol/error-codes';
import type { JoinGroupResult, SyncGroupResult } from './group-api.types';
import { EMPTY_BUFFER } from './group-member';

/** A JoinGroup answer that carries only an error (no generation, leader or members). */
export function joinFailure(memberId: string, errorCode: ErrorCode): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    members: [],
  };
}

/** A SyncGroup answer that carries only an error. */
export function syncFailure(errorCode: ErrorCode): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER };
}
