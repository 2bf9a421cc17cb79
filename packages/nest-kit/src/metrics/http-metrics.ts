import { LeanHistogram, type LeanHistogramChild } from './lean-metrics';
import { once, registry } from './metrics';

/** OpenTelemetry's HTTP semantic conventions: the metric, its label names and its explicit buckets. */
export const HTTP_DURATION = 'http_server_request_duration_seconds';
export const HTTP_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;

export const httpRequestDuration = once(
  HTTP_DURATION,
  () =>
    new LeanHistogram(
      HTTP_DURATION,
      'Duration of HTTP server requests (OpenTelemetry http.server.request.duration)',
      HTTP_BUCKETS,
      registry,
    ),
);

/**
 * The methods semconv names; anything else is `_OTHER`, so a client cannot
 * mint label values by inventing methods.
 */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'];
const OTHER = METHODS.length;

function methodIndex(method: string | undefined): number {
  const at = method === undefined ? -1 : METHODS.indexOf(method);
  return at < 0 ? OTHER : at;
}

/**
 * One route's label children, made on first use and then reused: recording
 * a request is a Map lookup by a number and a few additions, with no label
 * object or string built per request. Status codes are 100-599 (Node
 * refuses others), methods ten values: the set is bounded per route.
 */
export class RouteTimer {
  private readonly children = new Map<number, LeanHistogramChild>();

  /** `route` is the route template, never a raw URL; undefined when no route matched. */
  constructor(private readonly route: string | undefined) {}

  observe(method: string | undefined, status: number, seconds: number): void {
    const m = methodIndex(method);
    const key = status * 16 + m;
    let child = this.children.get(key);
    if (child === undefined) {
      child = httpRequestDuration.child(this.labels(m, status));
      this.children.set(key, child);
    }
    child.observe(seconds);
  }

  private labels(m: number, status: number): Record<string, string> {
    const labels: Record<string, string> = {
      http_request_method: m === OTHER ? '_OTHER' : (METHODS[m] as string),
    };
    // semconv: no http.route when the server matched none (a 404 has no template).
    if (this.route !== undefined) labels['http_route'] = this.route;
    labels['http_response_status_code'] = String(status);
    return labels;
  }
}
