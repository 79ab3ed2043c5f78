/** An amount in minor units (fen, cents) with its ISO 4217 currency: never a float. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}
