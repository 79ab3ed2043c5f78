import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { SkuStockState } from '../domain/stock/sku-stock.state';
import type { AdjustmentReason } from '../domain/stock/stock.types';
import { LocationsRepository, type Location } from '../infrastructure/locations.repository';
import { LocationUnknown, ReceiptIdReused } from './application.errors';
import type { CommandContext } from './command-context';
import { InventoryTransactions } from './inventory-transactions';
import { SkuStockLedger } from './sku-stock.ledger';
import { lockSkus } from './stock-locks';

/** One location's level of a SKU after a change. */
export interface StockLevel {
  readonly skuId: string;
  readonly locationId: string;
  readonly locationType: Location['type'];
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly lowStockThreshold: number | null;
}

/**
 * Stock changes operators and systems make directly (R-INV-1, R-INV-5, R-INV-6): receipts,
 * adjustments, thresholds, restocking of inspected returns. Each takes the SKU's lock first.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly transactions: InventoryTransactions,
    private readonly skus: SkuStockLedger,
    private readonly locations: LocationsRepository,
  ) {}

  /**
   * Books goods in. A repeated `receiptId` with the same SKU, location and quantity is a replay
   * (answered with the current level, nothing booked); with other goods it is refused.
   */
  async receive(
    receipt: { skuId: string; locationId: string; quantity: number; receiptId?: string },
    context: CommandContext,
  ): Promise<{ receiptId: string; replayed: boolean; level: StockLevel }> {
    return this.transactions.run(async (client) => {
      const location = await this.knownLocation(client, receipt.locationId);
      await lockSkus(client, [receipt.skuId]);
      const receiptId = receipt.receiptId ?? randomUUID();
      const booked = await client.query(
        `INSERT INTO stock_receipts (receipt_id, sku_id, location_id, quantity)
         VALUES ($1, $2, $3, $4) ON CONFLICT (receipt_id) DO NOTHING`,
        [receiptId, receipt.skuId, receipt.locationId, receipt.quantity],
      );
      if (booked.rowCount === 0) {
        const { rows } = await client.query(
          `SELECT 1 FROM stock_receipts
            WHERE receipt_id = $1 AND sku_id = $2 AND location_id = $3 AND quantity = $4`,
          [receiptId, receipt.skuId, receipt.locationId, receipt.quantity],
        );
        if (rows.length === 0) throw new ReceiptIdReused(receiptId);
        const state = await this.skus.load(client, receipt.skuId);
        return {
          receiptId,
          replayed: true,
          level: levelOf(receipt.skuId, state, location.locationId),
        };
      }
      const { state } = await this.skus.execute(
        client,
        {
          type: 'ReceiveStock',
          data: { ...receipt, receiptId, locationType: location.type },
        },
        context,
      );
      return {
        receiptId,
        replayed: false,
        level: levelOf(receipt.skuId, state, location.locationId),
      };
    });
  }

  /** Corrects on-hand stock (count, damage, loss, expiry); never below what is reserved. */
  async adjust(
    adjustment: { skuId: string; locationId: string; delta: number; reason: AdjustmentReason },
    context: CommandContext,
  ): Promise<{ adjustmentId: string; level: StockLevel }> {
    return this.transactions.run(async (client) => {
      const location = await this.knownLocation(client, adjustment.locationId);
      await lockSkus(client, [adjustment.skuId]);
      const adjustmentId = randomUUID();
      const { state } = await this.skus.execute(
        client,
        {
          type: 'AdjustStock',
          data: { ...adjustment, adjustmentId, locationType: location.type },
        },
        context,
      );
      return { adjustmentId, level: levelOf(adjustment.skuId, state, location.locationId) };
    });
  }

  /** Sets a SKU's low-stock threshold at a location (R-INV-6). */
  async setThreshold(
    setting: { skuId: string; locationId: string; threshold: number },
    context: CommandContext,
  ): Promise<StockLevel> {
    return this.transactions.run(async (client) => {
      const location = await this.knownLocation(client, setting.locationId);
      await lockSkus(client, [setting.skuId]);
      const { state } = await this.skus.execute(
        client,
        { type: 'SetLowStockThreshold', data: { ...setting, locationType: location.type } },
        context,
      );
      return levelOf(setting.skuId, state, location.locationId);
    });
  }

  /** Inspected returns go back into sellable stock at the given location (R-INV-5). */
  async restock(
    client: PoolClient,
    restock: {
      caseId: string;
      orderId: string;
      locationId: string;
      lines: readonly { skuId: string; quantity: number }[];
    },
    context: CommandContext,
  ): Promise<void> {
    const location = await this.knownLocation(client, restock.locationId);
    await lockSkus(
      client,
      restock.lines.map((line) => line.skuId),
    );
    for (const line of restock.lines) {
      await this.skus.execute(
        client,
        {
          type: 'RestockReturn',
          data: {
            skuId: line.skuId,
            locationId: location.locationId,
            locationType: location.type,
            quantity: line.quantity,
            caseId: restock.caseId,
            orderId: restock.orderId,
          },
        },
        context,
      );
    }
  }

  private async knownLocation(client: PoolClient, locationId: string): Promise<Location> {
    const location = await this.locations.find(client, locationId);
    if (!location) throw new LocationUnknown(locationId);
    return location;
  }
}

function levelOf(skuId: string, state: SkuStockState, locationId: string): StockLevel {
  const stock = state.locations[locationId];
  return {
    skuId,
    locationId,
    locationType: stock?.locationType ?? 'warehouse',
    onHand: stock?.onHand ?? 0,
    reserved: stock?.reserved ?? 0,
    available: (stock?.onHand ?? 0) - (stock?.reserved ?? 0),
    lowStockThreshold: stock?.lowStockThreshold ?? null,
  };
}
