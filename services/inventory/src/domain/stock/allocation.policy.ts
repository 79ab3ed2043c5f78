import { availableAt, type LocationStock } from './sku-stock.state';
import type { AllocationPolicy, LineShortage, LocationType, StockAllocation } from './stock.types';

interface Candidate {
  readonly locationId: string;
  readonly locationType: LocationType;
  readonly available: number;
}

/**
 * Allocates each line of one SKU, in order, against the locations' available stock (R-INV-4):
 *
 * 1. the preferred location (the customer's store) when it can serve the whole line;
 * 2. otherwise another single location that can serve the whole line — ranked by
 *    `policy.preference` (most available first; or warehouses first, then most available);
 * 3. otherwise, when `policy.split`, the preferred location's stock then the ranked others
 *    until the line is served or stock runs out; without split, the single location with the
 *    most (the preferred one on a tie) serves what it can.
 *
 * What cannot be served is a shortage (partial reservation); the caller decides what that means.
 */
export function allocateLines(
  skuId: string,
  locations: Readonly<Record<string, LocationStock>>,
  lines: readonly { readonly lineId: string; readonly quantity: number }[],
  preferredLocationId: string | undefined,
  policy: AllocationPolicy,
): { allocations: StockAllocation[]; shortages: LineShortage[] } {
  const remaining = new Map<string, Candidate>(
    Object.entries(locations).map(([locationId, stock]) => [
      locationId,
      { locationId, locationType: stock.locationType, available: availableAt(stock) },
    ]),
  );
  const allocations: StockAllocation[] = [];
  const shortages: LineShortage[] = [];
  for (const line of lines) {
    const picked = allocateLine(
      [...remaining.values()],
      line.quantity,
      preferredLocationId,
      policy,
    );
    let served = 0;
    for (const { candidate, quantity } of picked) {
      remaining.set(candidate.locationId, {
        ...candidate,
        available: candidate.available - quantity,
      });
      served += quantity;
      allocations.push({
        lineId: line.lineId,
        skuId,
        locationId: candidate.locationId,
        locationType: candidate.locationType,
        quantity,
      });
    }
    if (served < line.quantity) {
      shortages.push({ lineId: line.lineId, skuId, requested: line.quantity, available: served });
    }
  }
  return { allocations, shortages };
}

function allocateLine(
  candidates: readonly Candidate[],
  quantity: number,
  preferredLocationId: string | undefined,
  policy: AllocationPolicy,
): { candidate: Candidate; quantity: number }[] {
  const stocked = candidates.filter((candidate) => candidate.available > 0);
  const preferred = stocked.find((candidate) => candidate.locationId === preferredLocationId);
  if (preferred && preferred.available >= quantity) return [{ candidate: preferred, quantity }];
  const others = rank(
    stocked.filter((candidate) => candidate !== preferred),
    policy,
  );
  const whole = others.find((candidate) => candidate.available >= quantity);
  if (whole) return [{ candidate: whole, quantity }];
  if (!policy.split) {
    const best = [preferred, ...rank(others, { ...policy, preference: 'most-available' })]
      .filter((candidate): candidate is Candidate => candidate !== undefined)
      .reduce<Candidate | undefined>(
        (top, candidate) => (top && top.available >= candidate.available ? top : candidate),
        undefined,
      );
    return best ? [{ candidate: best, quantity: Math.min(best.available, quantity) }] : [];
  }
  const picked: { candidate: Candidate; quantity: number }[] = [];
  let open = quantity;
  for (const candidate of preferred ? [preferred, ...others] : others) {
    if (open === 0) break;
    const take = Math.min(candidate.available, open);
    picked.push({ candidate, quantity: take });
    open -= take;
  }
  return picked;
}

/** Locations in the order the policy prefers them; ties broken by id so results are stable. */
function rank(candidates: readonly Candidate[], policy: AllocationPolicy): Candidate[] {
  const typeRank = (candidate: Candidate) =>
    policy.preference === 'warehouses-first' && candidate.locationType === 'store' ? 1 : 0;
  return [...candidates].sort(
    (a, b) =>
      typeRank(a) - typeRank(b) ||
      b.available - a.available ||
      (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0),
  );
}
