import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimRefusal, SimulatedLedger, type LedgerResult } from './simulated-ledger';
import type {
  SimCreatePaymentRequest,
  SimMethod,
  SimPayRequest,
  SimRefundRequest,
} from './simulator.protocol';
import { WebhookSender, type DeliveryAttempt } from './webhook-sender';

export interface PaymentProviderSimulatorOptions {
  /** 0 = any free port. */
  readonly port: number;
  readonly host?: string;
  /** Merchant API key expected as `Authorization: Bearer <key>` on `/v1/*`. */
  readonly apiKey: string;
  readonly webhookSecretFor: (method: SimMethod) => string;
  /** Pay every new payment automatically with this outcome after `autoPayDelayMs`. */
  readonly autoPay?: SimPayRequest['outcome'];
  readonly autoPayDelayMs?: number;
  /** Default: 1 s, 2 s, 4 s, 8 s, 16 s (six attempts in all). */
  readonly webhookRetryDelaysMs?: readonly number[];
  readonly log?: (message: string) => void;
}

const OUTCOMES: readonly SimPayRequest['outcome'][] = [
  'succeeded',
  'declined',
  'insufficient-funds',
  'cancelled',
];
const METHODS: readonly SimMethod[] = ['wechat-pay', 'alipay', 'bank-card'];

type Route = (req: IncomingMessage, params: string[], body: unknown) => Promise<[number, unknown]>;

/**
 * A SIMULATED payment provider (WeChat Pay, Alipay and a card acquirer in one), for
 * development, tests and benchmarks — it moves no money. A standalone `node:http` server:
 *
 * - merchant API (`/v1/payments`, bearer API key): create, get, capture, cancel, refund;
 * - the customer's side: `GET /checkout/{ref}` and `POST /simulator/pay/{ref}` with an outcome;
 * - result webhooks signed with Standard Webhooks, sent asynchronously to the payment's
 *   `notifyUrl` and retried on non-2xx.
 *
 * The payments service starts one in-process when `PAYMENT_GATEWAY_URL` is not set and talks
 * to it only over HTTP, exactly as it would to a real provider.
 */
export class PaymentProviderSimulator {
  private server: Server | undefined;
  private readonly ledger: SimulatedLedger;
  private readonly webhooks: WebhookSender;
  private readonly autoPayTimers = new Set<NodeJS.Timeout>();
  private baseUrl = '';
  private readonly routes: [string, RegExp, Route][];

  constructor(private readonly options: PaymentProviderSimulatorOptions) {
    this.ledger = new SimulatedLedger(() => this.baseUrl);
    this.webhooks = new WebhookSender({
      secretFor: options.webhookSecretFor,
      retryDelaysMs: options.webhookRetryDelaysMs ?? [1_000, 2_000, 4_000, 8_000, 16_000],
      log: options.log,
    });
    this.routes = [
      ['POST', /^\/v1\/payments$/, (req, _p, body) => this.create(req, body)],
      [
        'GET',
        /^\/v1\/payments\/([\w-]+)$/,
        async (req, [ref]) => this.merchant(req, () => [200, this.ledger.get(ref!)]),
      ],
      [
        'POST',
        /^\/v1\/payments\/([\w-]+)\/capture$/,
        async (req, [ref]) => this.merchant(req, () => this.apply(this.ledger.capture(ref!))),
      ],
      [
        'POST',
        /^\/v1\/payments\/([\w-]+)\/cancel$/,
        async (req, [ref]) => this.merchant(req, () => this.apply(this.ledger.cancel(ref!))),
      ],
      [
        'POST',
        /^\/v1\/payments\/([\w-]+)\/refunds$/,
        async (req, [ref], body) => this.refund(req, ref!, body),
      ],
      ['POST', /^\/simulator\/pay\/([\w-]+)$/, async (_req, [ref], body) => this.pay(ref!, body)],
      ['GET', /^\/checkout\/([\w-]+)$/, async (_req, [ref]) => [200, this.checkout(ref!)]],
      ['GET', /^\/health$/, async () => [200, { status: 'ok' }]],
    ];
  }

  /** Listens; resolves with the base URL (`http://127.0.0.1:<port>`). */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://${this.options.host ?? '127.0.0.1'}:${port}`;
    return this.baseUrl;
  }

  get url(): string {
    return this.baseUrl;
  }

  /** The most recent webhook delivery attempts, oldest first (tests, diagnostics). */
  get deliveries(): readonly DeliveryAttempt[] {
    return this.webhooks.attempts;
  }

  async stop(): Promise<void> {
    for (const timer of this.autoPayTimers) clearTimeout(timer);
    await this.webhooks.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      const match = this.routes
        .map(([method, pattern, route]) => ({ method, found: pattern.exec(path), route }))
        .find((candidate) => candidate.found && candidate.method === req.method);
      if (!match?.found) throw new SimRefusal(404, 'not_found', `no route ${req.method} ${path}`);
      const body = await readJson(req);
      const [status, payload] = await match.route(req, match.found.slice(1), body);
      send(res, status, payload);
    } catch (error) {
      if (error instanceof SimRefusal) {
        send(res, error.status, { error: { code: error.code, message: error.message } });
      } else {
        this.options.log?.(`simulator error: ${(error as Error).message}`);
        send(res, 500, { error: { code: 'internal_error', message: 'simulator error' } });
      }
    }
  }

  private async create(req: IncomingMessage, body: unknown): Promise<[number, unknown]> {
    return this.merchant(req, () => {
      const request = parseCreate(body);
      const result = this.ledger.create(request);
      if (result.created && this.options.autoPay)
        this.scheduleAutoPay(result.payment.providerReference);
      return [result.created ? 201 : 200, result.payment];
    });
  }

  private async refund(
    req: IncomingMessage,
    ref: string,
    body: unknown,
  ): Promise<[number, unknown]> {
    return this.merchant(req, () => {
      const request = parseRefund(body);
      const result = this.ledger.refund(ref, request);
      this.dispatch(result);
      return [201, result.refund];
    });
  }

  private async pay(ref: string, body: unknown): Promise<[number, unknown]> {
    const outcome = (body as Partial<SimPayRequest> | undefined)?.outcome;
    if (!outcome || !OUTCOMES.includes(outcome)) {
      throw new SimRefusal(400, 'invalid_request', `outcome must be one of ${OUTCOMES.join(', ')}`);
    }
    return this.apply(this.ledger.pay(ref, outcome));
  }

  private apply(result: LedgerResult): [number, unknown] {
    this.dispatch(result);
    return [200, result.payment];
  }

  private dispatch(result: LedgerResult): void {
    if (result.webhook) this.webhooks.send(result.webhook.notifyUrl, result.webhook.event);
  }

  private scheduleAutoPay(ref: string): void {
    const timer = setTimeout(() => {
      this.autoPayTimers.delete(timer);
      try {
        this.dispatch(this.ledger.pay(ref, this.options.autoPay!));
      } catch (error) {
        // Cancelled or expired meanwhile: nothing to pay.
        this.options.log?.(`auto-pay of ${ref} skipped: ${(error as Error).message}`);
      }
    }, this.options.autoPayDelayMs ?? 200);
    this.autoPayTimers.add(timer);
  }

  private checkout(ref: string) {
    const payment = this.ledger.get(ref);
    return {
      notice: 'SIMULATED checkout: POST /simulator/pay/{providerReference} with an outcome to pay.',
      payment,
      pay: { method: 'POST', url: `${this.baseUrl}/simulator/pay/${ref}`, outcomes: OUTCOMES },
    };
  }

  private merchant(req: IncomingMessage, run: () => [number, unknown]): [number, unknown] {
    const presented = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(this.options.apiKey);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new SimRefusal(401, 'unauthorised', 'invalid merchant API key');
    }
    return run();
  }
}

function parseCreate(body: unknown): SimCreatePaymentRequest {
  const b = (body ?? {}) as Partial<SimCreatePaymentRequest>;
  if (
    typeof b.merchantReference !== 'string' ||
    b.merchantReference.length === 0 ||
    !validAmount(b.amount) ||
    b.amount.value <= 0 ||
    !METHODS.includes(b.method as SimMethod) ||
    (b.captureMode !== 'automatic' && b.captureMode !== 'manual') ||
    typeof b.notifyUrl !== 'string' ||
    !/^https?:\/\//.test(b.notifyUrl)
  ) {
    throw new SimRefusal(
      400,
      'invalid_request',
      'merchantReference, amount, method, captureMode and notifyUrl are required',
    );
  }
  return b as SimCreatePaymentRequest;
}

function parseRefund(body: unknown): SimRefundRequest {
  const b = (body ?? {}) as Partial<SimRefundRequest>;
  if (
    typeof b.merchantRefundReference !== 'string' ||
    !validAmount(b.amount) ||
    b.amount.value <= 0
  ) {
    throw new SimRefusal(
      400,
      'invalid_request',
      'merchantRefundReference and a positive amount are required',
    );
  }
  return b as SimRefundRequest;
}

function validAmount(amount: unknown): amount is { value: number; currency: string } {
  const a = amount as { value?: unknown; currency?: unknown } | undefined;
  return (
    Number.isSafeInteger(a?.value) &&
    typeof a?.currency === 'string' &&
    /^[A-Z]{3}$/.test(a.currency)
  );
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new SimRefusal(400, 'invalid_request', 'body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new SimRefusal(400, 'invalid_request', 'body is not JSON');
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
