import {
  CurrencyMismatch,
  InvalidAmount,
  InvalidOrderLine,
  OrderAmountTooLarge,
} from './order.errors';
import type { Money, OrderLine, OrderLineInput, OrderTotals } from './order.model';

/** Money helpers; every amount of one order shares one currency. */
export const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

function safe(amountMinor: number, field: string): number {
  if (!Number.isSafeInteger(amountMinor)) throw new OrderAmountTooLarge(field);
  return amountMinor;
}

/** Prices every line (unit price × quantity), checking quantities, prices and currencies. */
export function priceLines(lines: readonly OrderLineInput[], currency: string): OrderLine[] {
  return lines.map((line, index) => {
    const at = `lines[${index}]`;
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) {
      throw new InvalidOrderLine(`${at}.quantity`, 'must be a positive integer');
    }
    if (!Number.isInteger(line.unitPrice.amountMinor) || line.unitPrice.amountMinor < 0) {
      throw new InvalidAmount(`${at}.unitPrice.amountMinor`);
    }
    if (line.unitPrice.currency !== currency) {
      throw new CurrencyMismatch(`${at}.unitPrice.currency`, currency, line.unitPrice.currency);
    }
    const lineTotal = safe(line.unitPrice.amountMinor * line.quantity, `${at}.quantity`);
    return { ...line, lineTotal: money(lineTotal, currency) };
  });
}

/**
 * subtotal = Σ line totals; total = subtotal + shipping − discount. A discount larger than
 * subtotal + shipping is capped there (the total never goes negative) — callers that must
 * refuse it check before.
 */
export function totalsOf(
  lines: readonly OrderLine[],
  shipping: Money,
  discount: Money,
): OrderTotals {
  const currency = shipping.currency;
  const subtotal = safe(
    lines.reduce((sum, line) => sum + line.lineTotal.amountMinor, 0),
    'lines',
  );
  const gross = safe(subtotal + shipping.amountMinor, 'shipping.amountMinor');
  const appliedDiscount = Math.min(discount.amountMinor, gross);
  return {
    subtotal: money(subtotal, currency),
    shipping: money(shipping.amountMinor, currency),
    discount: money(appliedDiscount, currency),
    total: money(gross - appliedDiscount, currency),
  };
}
