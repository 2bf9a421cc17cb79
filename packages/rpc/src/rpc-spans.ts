import {
  ATTR,
  runWithContext,
  spanFromTraceparent,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  tracingEnabled,
  withSpan,
  type RequestContext,
} from '@idp/observability';
import type { Outcome } from './dispatcher';

/** `/idp.token/token` → `idp.token/token`, the span name and `rpc.method` semconv asks for. */
const methodName = (path: string) => path.slice(1);

/**
 * The client span of one call; the call reads the request context inside
 * it, so the metadata it sends names this span as the server's parent.
 */
export function rpcClientSpan<T>(path: string, call: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return call();
  const method = methodName(path);
  return withSpan(method, { kind: 'client', attributes: { [ATTR.rpcMethod]: method } }, call);
}

/**
 * Runs one call's handling in the caller's context (as without tracing)
 * and, when tracing is on, in a server span continuing the traceparent the
 * caller sent; a refused call is marked failed with its OAuth error code.
 */
export function rpcServerSpan(
  path: string,
  system: 'grpc' | undefined,
  carrier: Readonly<Record<string, string | undefined>>,
  context: RequestContext,
  handle: () => Promise<Outcome>,
): Promise<Outcome> {
  if (!tracingEnabled()) return runWithContext(context, handle);
  const method = methodName(path);
  return spanFromTraceparent(
    method,
    { traceparent: carrier[TRACEPARENT_HEADER], tracestate: carrier[TRACESTATE_HEADER] },
    {
      kind: 'server',
      attributes: { [ATTR.rpcMethod]: method, [ATTR.rpcSystemName]: system },
    },
    context,
    async (span) => {
      const outcome = await handle();
      if (!outcome.ok) span?.fail(outcome.error.error);
      return outcome;
    },
  );
}
