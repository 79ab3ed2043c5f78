import { Logger } from '@nestjs/common';
import { EventStore, runWrites, WrongExpectedVersionError } from '@fulfil/event-store';
import { DeadlineScheduler } from '@fulfil/messaging';
import type { Pool, PoolClient } from 'pg';
import { intentCreated, registered } from '../domain/payment.fixture';
import { paymentDecider } from '../domain/payment.decider';
import type { PaymentCommand } from '../domain/payment.commands';
import type { PaymentEvent } from '../domain/payment.events';
import { MoneyBackService } from './money-back.service';
import type { ExecuteOptions, PaymentCommands } from './payment-commands';
import { PaymentTurns } from './payment-turns';
import { WebhookProcessor, type WebhookDelivery } from './webhook-processor';

/**
 * The webhook path at the level of its transactions and statements, with a recording client in
 * place of PostgreSQL and the payment commands played by the decider: one transaction per
 * delivery when it applies, the stored-for-later path only when applying fails.
 */

const PAYMENT_ID = '0b6e3c8e-2f4a-4c1e-9a57-6f1d2b3c4d5e';

/** Every statement and transaction boundary, in order, as the first words of the SQL. */
class Recorder {
  readonly log: string[] = [];
  readonly known: unknown[] = [];
  /** The results stored with applied deliveries (status, outcome). */
  readonly stored: { status: unknown; outcome: unknown }[] = [];
  webhookIdTaken = false;

  readonly client = {
    query: async (text: string, values: unknown[] = []) => {
      const sql = text.replace(/\s+/g, ' ').trim();
      this.log.push(sql.split(' (')[0]!.split(' WHERE')[0]!);
      if (sql.includes('FROM payment_orders')) return { rows: [orderRow()], rowCount: 1 };
      if (sql.startsWith('INSERT INTO payment_webhooks')) {
        // A taken webhook-id: skipped ON CONFLICT, else the primary key refuses the insert.
        if (this.webhookIdTaken && !sql.includes('ON CONFLICT')) {
          throw Object.assign(new Error('duplicate key'), {
            code: '23505',
            constraint: 'payment_webhooks_pkey',
          });
        }
        this.stored.push({ status: values[4], outcome: values[5] });
        return { rows: [], rowCount: this.webhookIdTaken ? 0 : 1 };
      }
      if (sql.includes('FROM payment_webhooks')) {
        return { rows: [{ webhook_id: 'msg_1', provider: 'wechat-pay', raw_body: body() }] };
      }
      return { rows: [], rowCount: 1 };
    },
  } as unknown as PoolClient;

  readonly store = {
    withTransaction: async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
      this.log.push('BEGIN');
      try {
        const result = await work(this.client);
        this.log.push('COMMIT');
        return result;
      } catch (error) {
        this.log.push('ROLLBACK');
        throw error;
      }
    },
  } as unknown as EventStore;
}

function orderRow() {
  return {
    order_id: 'order-1',
    customer_id: 'cust-1',
    payment_method: 'wechat-pay',
    amount_minor: '12900',
    currency: 'CNY',
    payment_id: PAYMENT_ID,
    cancelled_at: null,
  };
}

function body(): Buffer {
  const amount = { value: 12_900, currency: 'CNY' };
  return Buffer.from(
    JSON.stringify({
      type: 'payment.captured',
      data: {
        providerReference: 'sim_pay_1',
        merchantReference: PAYMENT_ID,
        method: 'wechat-pay',
        amount,
        capturedAmount: amount,
      },
    }),
  );
}

function delivery(): WebhookDelivery {
  return { webhookId: 'msg_1', provider: 'wechat-pay', signedAt: new Date(), rawBody: body() };
}

/**
 * The payment commands, deciding on a registered WeChat Pay payment (`history`, none: unknown);
 * `failures` throw first. Records what each `execute` was told the payment is (`known`), and
 * sends the writes it was given to go with the events (`alsoWrite`).
 */
function commands(
  recorder: Recorder,
  failures: Error[] = [],
  history: readonly PaymentEvent[] = [intentCreated(), registered],
): PaymentCommands {
  const state = history.reduce(paymentDecider.evolve, paymentDecider.initialState());
  return {
    current: async () => {
      recorder.log.push('current');
      return { state, version: history.length };
    },
    execute: async (
      _paymentId: string,
      command: PaymentCommand,
      _context: unknown,
      options: ExecuteOptions,
    ) => {
      recorder.log.push('execute');
      recorder.known.push(options.known);
      const failure = failures.shift();
      if (failure) throw failure;
      const events = paymentDecider.decide(command, state);
      // What an append sends with its outbox rows (here alone).
      if (events.length > 0) {
        await runWrites(recorder.client, options.alsoWrite?.(events as never) ?? []);
      }
      return { events, state: events.reduce(paymentDecider.evolve, state) };
    },
  } as unknown as PaymentCommands;
}

function processor(
  recorder: Recorder,
  failures: Error[] = [],
  history?: readonly PaymentEvent[],
  turns = new PaymentTurns(),
) {
  const scheduler = new DeadlineScheduler({ pool: {} as Pool });
  const paymentCommands = commands(recorder, failures, history);
  return new WebhookProcessor(
    recorder.store,
    paymentCommands,
    new MoneyBackService(paymentCommands, scheduler),
    scheduler,
    turns,
  );
}

const transactionOrder = () =>
  new WrongExpectedVersionError(`payment-${PAYMENT_ID}`, 2, 2, 'transaction-order');

describe('WebhookProcessor.receive', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('applies and stores a delivery in one transaction, no safety net; a result drops the expiry', async () => {
    const recorder = new Recorder();
    await expect(processor(recorder).receive(delivery())).resolves.toBe('accepted');
    expect(recorder.log).toEqual([
      'BEGIN',
      'current',
      'execute',
      'DELETE FROM deadlines',
      'SELECT order_id, customer_id, payment_method, amount_minor, currency, payment_id, cancelled_at FROM payment_orders',
      'INSERT INTO payment_webhooks',
      'COMMIT',
    ]);
  });

  it('decides on the payment it read to check the method, without reading it again', async () => {
    const recorder = new Recorder();
    await processor(recorder).receive(delivery());
    const registeredState = [intentCreated(), registered].reduce(
      paymentDecider.evolve,
      paymentDecider.initialState(),
    );
    expect(recorder.known).toEqual([{ state: registeredState, version: 2 }]);
  });

  it("waits for the payment's turn: its transaction starts once the work before it settled", async () => {
    const recorder = new Recorder();
    const turns = new PaymentTurns();
    let finishRegistration!: () => void;
    const registration = turns.run(
      PAYMENT_ID,
      () => new Promise<void>((resolve) => (finishRegistration = resolve)),
    );
    const received = processor(recorder, [], undefined, turns).receive(delivery());
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorder.log).toEqual([]);
    finishRegistration();
    await registration;
    await expect(received).resolves.toBe('accepted');
    expect(recorder.log.at(0)).toBe('BEGIN');
    expect(turns.size).toBe(0);
  });

  it('stores an unreadable delivery as rejected, outside any turn', async () => {
    const recorder = new Recorder();
    const turns = new PaymentTurns();
    const garbled = { ...delivery(), rawBody: Buffer.from('{"type":"payment.captured"') };
    await expect(processor(recorder, [], undefined, turns).receive(garbled)).resolves.toBe(
      'accepted',
    );
    expect(recorder.stored).toEqual([{ status: 'rejected', outcome: 'unreadable notification' }]);
    expect(turns.size).toBe(0);
  });

  it('stores a delivery for an unknown payment as ignored, deciding nothing', async () => {
    const recorder = new Recorder();
    await expect(processor(recorder, [], []).receive(delivery())).resolves.toBe('accepted');
    expect(recorder.log).not.toContain('execute');
    expect(recorder.stored).toEqual([
      { status: 'ignored', outcome: `unknown payment ${PAYMENT_ID}` },
    ]);
  });

  it("rejects a delivery on the endpoint of another provider than the payment's", async () => {
    const recorder = new Recorder();
    const onAlipay = { ...delivery(), provider: 'alipay' as const };
    await expect(processor(recorder).receive(onAlipay)).resolves.toBe('accepted');
    expect(recorder.log).not.toContain('execute');
    expect(recorder.stored).toEqual([
      { status: 'rejected', outcome: `payment ${PAYMENT_ID} is not a alipay payment` },
    ]);
  });

  it('rolls a replayed webhook-id back and answers duplicate', async () => {
    const recorder = new Recorder();
    recorder.webhookIdTaken = true;
    await expect(processor(recorder).receive(delivery())).resolves.toBe('duplicate');
    expect(recorder.log.at(-1)).toBe('ROLLBACK');
    expect(recorder.log).not.toContain('COMMIT');
  });

  it('retries a transaction-order refusal in a new transaction', async () => {
    const recorder = new Recorder();
    const webhooks = processor(recorder, [transactionOrder()]);
    await expect(webhooks.receive(delivery())).resolves.toBe('accepted');
    expect(recorder.log.filter((entry) => entry === 'BEGIN')).toHaveLength(2);
    expect(recorder.log.filter((entry) => entry === 'ROLLBACK')).toHaveLength(1);
    expect(recorder.log.at(-1)).toBe('COMMIT');
    expect(recorder.log).not.toContain('INSERT INTO deadlines');
  });

  it('stores a delivery it cannot apply, with the deadline that applies it later', async () => {
    const recorder = new Recorder();
    const refusals = [transactionOrder(), transactionOrder(), transactionOrder()];
    const webhooks = processor(recorder, refusals);
    await expect(webhooks.receive(delivery())).resolves.toBe('accepted');
    expect(recorder.log.slice(-4)).toEqual([
      'BEGIN',
      'INSERT INTO payment_webhooks',
      'INSERT INTO deadlines',
      'COMMIT',
    ]);
    expect(recorder.log.filter((entry) => entry === 'execute')).toHaveLength(3);
  });

  it('stores it for later at once when applying fails otherwise', async () => {
    const recorder = new Recorder();
    const webhooks = processor(recorder, [new Error('connection terminated')]);
    await expect(webhooks.receive(delivery())).resolves.toBe('accepted');
    expect(recorder.log.filter((entry) => entry === 'execute')).toHaveLength(1);
    expect(recorder.log).toContain('INSERT INTO deadlines');
  });

  it('the deadline applies a stored delivery and records its result', async () => {
    const recorder = new Recorder();
    await processor(recorder).process(recorder.client, 'msg_1');
    expect(recorder.log).toEqual([
      'SELECT webhook_id, provider, raw_body, status FROM payment_webhooks',
      'current',
      'execute',
      'DELETE FROM deadlines',
      'SELECT order_id, customer_id, payment_method, amount_minor, currency, payment_id, cancelled_at FROM payment_orders',
      'UPDATE payment_webhooks SET status = $2, outcome = $3, processed_at = now()',
    ]);
  });
});
