import { RouteTimer } from '../metrics/http-metrics';

/** What the hook needs of a request and a reply (structural: Nest may bring its own Fastify). */
interface TimedRequest {
  readonly method: string;
  readonly is404: boolean;
}
interface TimedReply {
  readonly statusCode: number;
  /** Milliseconds from the request to the response's end, as Fastify measured it. */
  readonly elapsedTime: number;
}
type OnResponse = (request: TimedRequest, reply: TimedReply, done: () => void) => void;

interface RouteDefinition {
  readonly url: string;
  onResponse?: OnResponse | OnResponse[];
}

interface HookTarget {
  addHook(name: 'onRoute', hook: (route: RouteDefinition) => void): unknown;
  addHook(name: 'onResponse', hook: OnResponse): unknown;
}

/**
 * RED metrics for every Fastify route: `http_server_request_duration_seconds`
 * labelled with the route template. Each route gets its own onResponse hook,
 * bound at registration to that route's timer, so a request never builds a
 * route string or a label object (`request.routeOptions` would allocate one
 * per call). Requests no route matched are recorded without `http_route`.
 * Call before the routes are registered (right after the app is created).
 */
export function installRequestMetrics(instance: HookTarget): void {
  instance.addHook('onRoute', (route) => {
    const timer = new RouteTimer(route.url);
    const hook: OnResponse = (request, reply, done) => {
      timer.observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    const existing = route.onResponse;
    route.onResponse =
      existing === undefined
        ? hook
        : Array.isArray(existing)
          ? [...existing, hook]
          : [existing, hook];
  });
  const unmatched = new RouteTimer(undefined);
  instance.addHook('onResponse', (request, reply, done) => {
    if (request.is404)
      unmatched.observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
