import type { GroupProtocol } from './group-api.types';
import type { GroupMember } from './group-member';

/**
 * Whether a member may (re)join with these protocols, as Kafka's `supportsProtocols`: it must
 * name a protocol type and at least one protocol, match the group's protocol type while the group
 * has members, and share at least one protocol with every *other* current member.
 *
 * @param others current members, excluding the one that is rejoining
 * @param groupProtocolType the group's protocol type, or null when it has no members
 */
export function acceptsProtocols(
  others: readonly GroupMember[],
  groupProtocolType: string | null,
  protocolType: string,
  protocols: readonly GroupProtocol[],
): boolean {
  if (protocolType === '' || protocols.length === 0) return false;
  if (groupProtocolType !== null && groupProtocolType !== protocolType) return false;
  return protocols.some((p) => others.every((member) => member.supports(p.name)));
}

/**
 * Picks the generation's protocol like Kafka: among protocols every member supports, each member
 * votes for its most preferred one and the most votes win. Ties go to the protocol the first
 * member prefers, which keeps the choice deterministic (Kafka leaves tie order unspecified).
 *
 * @throws if the members share no protocol — join validation makes that impossible.
 */
export function selectProtocol(members: readonly GroupMember[]): string {
  if (members.length === 0) throw new Error('Cannot select a protocol for a group without members');
  const candidates = members[0].protocols
    .map((p) => p.name)
    .filter((name) => members.every((member) => member.supports(name)));
  if (candidates.length === 0) throw new Error('Group members share no protocol');

  const candidateSet = new Set(candidates);
  const votes = new Map<string, number>();
  for (const member of members) {
    const vote = member.preferredAmong(candidateSet);
    if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  let winner = candidates[0];
  for (const name of candidates) {
    if ((votes.get(name) ?? 0) > (votes.get(winner) ?? 0)) winner = name;
  }
  return winner;
}
