import { ServerError } from '@idp/oauth-errors';
import {
  rpcPath,
  type CallOptions,
  type ClosableRpcClient,
  type RpcClient,
  type RpcContract,
} from '@idp/contracts';
import type { RpcLogger } from './logger';
import { callCorrelationId, outgoingContext } from './propagation';
import { rpcClientSpan } from './rpc-spans';
import { DEFAULT_TIMEOUT_MS, RpcContractError, check, correlationIdOr, encodeBody } from './wire';

export interface TransportCall {
  readonly timeoutMs: number;
  readonly correlationId: string;
  /** The caller's request context (`x-request-id`, `traceparent`, `tracestate`), to be carried along. */
  readonly context?: Readonly<Record<string, string>>;
  /** Cancels the call (CallOptions.signal). */
  readonly signal?: AbortSignal;
}

/**
 * Moves one JSON body to a method and its JSON answer back. Rejects only with
 * OAuthError: the peer's error rebuilt with fromWire, or temporarily_unavailable.
 */
export interface Transport {
  call(method: string, body: string, call: TransportCall): Promise<string>;
  close(): void;
}

export interface ClientOptions {
  /** Deadline of calls that set none. */
  readonly defaultTimeoutMs?: number;
  readonly logger: RpcLogger;
}

function timeoutOf(options: CallOptions | undefined, fallback: number): number {
  const ms = options?.timeoutMs ?? fallback;
  // setTimeout fires at once beyond 2^31-1 ms: refuse rather than time out instantly.
  if (!Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1)
    throw new RpcContractError(`invalid rpc timeout ${ms}`);
  return ms;
}

/** The client half shared by both adapters: all validation lives here, transports only move bytes. */
export function buildClient<C extends RpcContract>(
  contract: C,
  transport: Transport,
  options: ClientOptions,
): ClosableRpcClient<C> {
  const { logger } = options;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  timeoutOf(undefined, defaultTimeoutMs);

  const methods = Object.entries(contract.methods).map(([method, schemas]) => {
    const path = rpcPath(contract.service, method);
    const call = async (request: unknown, callOptions?: CallOptions): Promise<unknown> => {
      // Sending what the contract forbids is a bug on our side: fail loudly, before the wire.
      const checked = await check(schemas.request, request);
      if (!checked.ok) throw new RpcContractError(`${path} request: ${checked.problem}`);
      let body: string;
      try {
        body = encodeBody(checked.data);
      } catch (err) {
        throw new RpcContractError(`${path} request: ${(err as Error).message}`);
      }
      const correlationId = correlationIdOr(callCorrelationId(callOptions?.correlationId));
      const timeoutMs = timeoutOf(callOptions, defaultTimeoutMs);
      // The context is read inside the client span (tracing on): the server sees it as its parent.
      const text = await rpcClientSpan(path, () =>
        transport.call(method, body, {
          timeoutMs,
          correlationId,
          context: outgoingContext(),
          ...(callOptions?.signal === undefined ? {} : { signal: callOptions.signal }),
        }),
      );

      // Parse again on this side: the server may be another version, and transforms/defaults apply here.
      let response: Awaited<ReturnType<typeof check>>;
      try {
        response = await check(schemas.response, JSON.parse(text));
      } catch (err) {
        response = { ok: false, problem: (err as Error).message };
      }
      if (!response.ok) {
        logger.error('rpc response violates its contract', {
          path,
          correlationId,
          problem: response.problem,
        });
        throw new ServerError();
      }
      return response.data;
    };
    return [method, call] as const;
  });

  return Object.freeze({
    ...Object.fromEntries(methods),
    close: () => transport.close(),
  }) as unknown as ClosableRpcClient<C> & RpcClient<C>;
}
