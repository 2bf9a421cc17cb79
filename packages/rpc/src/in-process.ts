import { ServerError, fromWire } from '@idp/oauth-errors';
import { buildClient, type Transport } from './client';
import {
  rpcPath,
  type ClosableRpcClient,
  type RpcContract,
  type RpcHandlers,
} from '@idp/contracts';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { defaultRpcLogger, type RpcLogger } from './logger';
import { incomingContext } from './propagation';
import { rpcServerSpan } from './rpc-spans';
import { unavailable } from './wire';

export interface InProcessClientOptions {
  /** Deadline of calls that set none (5 s), enforced exactly as over gRPC. */
  readonly defaultTimeoutMs?: number;
  readonly logger?: RpcLogger;
}

/**
 * The embedded mode's rpc: a direct call to the same handler the gRPC server
 * runs, through the same validation, error mapping, size limit and deadline.
 *
 * Bodies are copied through JSON, not structuredClone: JSON is what gRPC
 * carries, so a Date, a Map, `undefined` or a BigInt in a body behaves here
 * exactly as it will between processes, and neither side can mutate the
 * other's objects. The cost is a stringify/parse of a few KB per call.
 */
export function inProcessClient<C extends RpcContract>(
  contract: C,
  handlers: RpcHandlers<C>,
  options: InProcessClientOptions = {},
): ClosableRpcClient<C> {
  const logger = options.logger ?? defaultRpcLogger;
  const dispatcher = createDispatcher([{ contract, handlers }], logger);
  return buildClient(contract, inProcessTransport(contract.service, dispatcher), {
    logger,
    ...(options.defaultTimeoutMs === undefined
      ? {}
      : { defaultTimeoutMs: options.defaultTimeoutMs }),
  });
}

/** Hands a body to a dispatcher in this process; exported for the contract suite. */
export function inProcessTransport(service: string, dispatcher: Dispatcher): Transport {
  let closed = false;
  return {
    call(method, body, { timeoutMs, correlationId, context, signal }) {
      // After close (shutdown of the embedded app) late calls fail like a stopped peer.
      if (closed) return Promise.reject(unavailable('rpc client is closed'));
      if (signal?.aborted) return Promise.reject(unavailable('rpc call cancelled'));
      return new Promise<string>((resolve, reject) => {
        const abort = new AbortController();
        const timer = setTimeout(() => {
          // The handler keeps running unless it watches the signal, as on a gRPC server.
          abort.abort();
          reject(unavailable('upstream service did not answer in time'));
        }, timeoutMs);
        // The caller cancelled: as a gRPC server sees a cancelled call.
        const cancel = () => {
          abort.abort();
          reject(unavailable('rpc call cancelled'));
        };
        signal?.addEventListener('abort', cancel, { once: true });
        // The handler runs in a context of its own, as behind gRPC: the caller's ids, copied.
        const path = rpcPath(service, method);
        rpcServerSpan(
          path,
          undefined,
          { ...context },
          incomingContext({ ...context }, correlationId),
          () =>
            dispatcher.dispatch(path, body, {
              correlationId,
              signal: abort.signal,
            }),
        )
          .then(
            (outcome) => (outcome.ok ? resolve(outcome.body) : reject(fromWire(outcome.error))),
            (err: unknown) => reject(new ServerError(err)),
          )
          .finally(() => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', cancel);
          });
      });
    },
    close() {
      closed = true;
    },
  };
}
