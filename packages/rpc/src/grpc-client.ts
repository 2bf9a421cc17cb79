import { Client, Metadata, credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { ServerError } from '@idp/oauth-errors';
import { buildClient, type Transport } from './client';
import { rpcPath, type ClosableRpcClient, type RpcContract } from '@idp/contracts';
import { fromGrpcError } from './grpc-errors';
import { defaultRpcLogger, type RpcLogger } from './logger';
import { CORRELATION_METADATA, MAX_MESSAGE_BYTES, unavailable } from './wire';

/** PEM material: `ca` to verify the server; `cert` + `key` to present ours (mTLS). */
export interface RpcClientTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface GrpcClientOptions {
  /** `host:port`, or `dns:///name:port` to spread calls over every address of a headless Service. */
  readonly address: string;
  /** Deadline of calls that set none (5 s). */
  readonly defaultTimeoutMs?: number;
  /** Omitted: plaintext (see ADR 0005 for when that is acceptable). */
  readonly tls?: RpcClientTls;
  readonly logger?: RpcLogger;
}

const identity = (buffer: Buffer): Buffer => buffer;

function channelCredentials(tls: RpcClientTls | undefined): ChannelCredentials {
  return tls
    ? credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null)
    : credentials.createInsecure();
}

const channelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // A restarted peer is called again within ~250 ms of listening instead of after grpc's
  // default backoff of up to 2 min (issue #12: a killed replica serves within 5 s of its
  // restart). A 1 s cap left a restart waiting ~0.5 s on average, up to 1 s, after it
  // listened. The cost is one TCP connect every 250 ms to a peer that is down.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 250,
  // Every resolved address gets calls (a ClusterIP would pin one HTTP/2 connection to one pod).
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};

/** A typed client of one contract over one gRPC channel. */
export function grpcClient<C extends RpcContract>(
  contract: C,
  options: GrpcClientOptions,
): ClosableRpcClient<C> {
  const logger = options.logger ?? defaultRpcLogger;
  return buildClient(contract, grpcTransport(contract.service, options, logger), {
    logger,
    ...(options.defaultTimeoutMs === undefined
      ? {}
      : { defaultTimeoutMs: options.defaultTimeoutMs }),
  });
}

/** Moves JSON bodies over one channel; exported for the contract suite. */
export function grpcTransport(
  service: string,
  options: GrpcClientOptions,
  logger: RpcLogger,
): Transport {
  const channel = new Client(options.address, channelCredentials(options.tls), channelOptions);
  let closed = false;
  return {
    call(method, body, { timeoutMs, correlationId, context, signal }) {
      if (closed) return Promise.reject(unavailable('rpc client is closed'));
      if (signal?.aborted) return Promise.reject(unavailable('rpc call cancelled'));
      const path = rpcPath(service, method);
      const metadata = new Metadata();
      metadata.set(CORRELATION_METADATA, correlationId);
      for (const [key, value] of Object.entries(context ?? {})) metadata.set(key, value);
      return new Promise<string>((resolve, reject) => {
        let cancel = (): void => undefined;
        try {
          // waitForReady stays false: with the peer down the call fails at once instead of
          // sitting out its deadline; a call never outlives its deadline either way.
          const call = channel.makeUnaryRequest<Buffer, Buffer>(
            path,
            identity,
            identity,
            Buffer.from(body, 'utf8'),
            metadata,
            { deadline: Date.now() + timeoutMs },
            (err, value) => {
              signal?.removeEventListener('abort', cancel);
              // Cancelled by our caller: expected, not a peer failure worth a warning.
              if (err && signal?.aborted) reject(unavailable('rpc call cancelled'));
              else if (err) reject(fromGrpcError(err, { path, correlationId }, logger));
              else if (value === undefined)
                reject(new ServerError(new Error(`${path}: empty response`)));
              else resolve(value.toString('utf8'));
            },
          );
          // The caller gave up: the server sees the call cancelled (its handler's signal aborts).
          cancel = () => call.cancel();
          signal?.addEventListener('abort', cancel, { once: true });
        } catch (err) {
          // grpc-js throws synchronously on a channel shut underneath us.
          logger.warn('rpc call could not start', { path, correlationId, err });
          reject(unavailable('upstream service is unavailable'));
        }
      });
    },
    close() {
      closed = true;
      channel.close();
    },
  };
}
