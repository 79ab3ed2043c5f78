import type { ServerResponse } from 'node:http';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Route label of requests that matched no route (404s, body parser rejections). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * How often the event-loop delay (`nodejs_eventloop_lag_*`) is sampled. prom-client's default,
 * 10 ms, wakes every service 100 times a second for this metric alone. Measured on the 2-core
 * development VM (2026-12-06, `npm start` of orders, inventory and payments, idle): an idle
 * service's event-loop wake-ups went from about 290 to 80 a second, and the machine's CPU from
 * 196 to 167–180 ms a second. A stall that outlasts a sample still shows in full (it delays the
 * next one); stalls much shorter than 100 ms show in proportion to their length.
 */
export const EVENT_LOOP_SAMPLE_INTERVAL_MS = 100;

interface RoutedRequest {
  method?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * The application's own Prometheus registry (never prom-client's global one, so several
 * apps can live in one process): default process metrics plus
 * `http_request_duration_seconds{method, route, status_code}`. Inject it to register a
 * service's own metrics on `registry` (outbox backlog, consumer lag, …).
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(defaultLabels: Record<string, string>) {
    this.registry.setDefaultLabels(defaultLabels);
    collectDefaultMetrics({
      register: this.registry,
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_INTERVAL_MS,
    });
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  /** Express middleware timing each request; the route label is the matched pattern. */
  middleware(): (req: RoutedRequest, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      const end = this.requestDuration.startTimer();
      res.once('finish', () => {
        end({
          method: req.method ?? 'UNKNOWN',
          route: routeOf(req),
          status_code: String(res.statusCode),
        });
      });
      next();
    };
  }
}

function routeOf(req: RoutedRequest): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ''}${path}` || '/';
}
