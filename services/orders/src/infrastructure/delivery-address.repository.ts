import { Inject, Injectable } from '@nestjs/common';
import type { Write } from '@fulfil/event-store';
import { PG_POOL } from '@fulfil/messaging';
import type { Pool } from 'pg';

/** The delivery address as the customer gave it: personal data, never in an event. */
export interface DeliveryAddress {
  readonly recipientName: string;
  readonly phone: string;
  readonly countryCode: string;
  readonly regionCode: string;
  readonly cityCode?: string;
  readonly district?: string;
  readonly addressLine1: string;
  readonly addressLine2?: string;
  readonly postalCode?: string;
}

/** `order_delivery_addresses`: one mutable row per order (erasable per customer). */
@Injectable()
export class DeliveryAddressRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Stores (or replaces) an order's address: a `Write` for the placing transaction. */
  upsert(orderId: string, customerId: string, address: DeliveryAddress): Write {
    return {
      text: `INSERT INTO order_delivery_addresses (order_id, customer_id, address)
             VALUES ($1, $2, $3)
             ON CONFLICT (order_id) DO UPDATE SET address = EXCLUDED.address, updated_at = now()`,
      values: [orderId, customerId, JSON.stringify(address)],
    };
  }

  async find(orderId: string): Promise<DeliveryAddress | undefined> {
    const { rows } = await this.pool.query<{ address: DeliveryAddress }>(
      'SELECT address FROM order_delivery_addresses WHERE order_id = $1',
      [orderId],
    );
    return rows[0]?.address;
  }
}
