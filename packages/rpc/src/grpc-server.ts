import {
  type Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { rpcPath, type RpcBindings, type RpcContract } from '@idp/contracts';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { toGrpcError } from './grpc-errors';
import { defaultRpcLogger, type RpcLogger } from './logger';
import { CONTEXT_METADATA, incomingContext } from './propagation';
import { rpcServerSpan } from './rpc-spans';
import { CORRELATION_METADATA, MAX_MESSAGE_BYTES, correlationIdOr } from './wire';

/** The context keys of a call's metadata as text (binary or repeated values are ignored). */
function metadataText(metadata: Metadata): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of CONTEXT_METADATA) {
    const value = metadata.get(key)[0];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** PEM material. With `ca`, client certificates are required (mTLS) unless told otherwise. */
export interface RpcServerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly requireClientCert?: boolean;
}

export interface RpcServerOptions<T extends readonly RpcContract[]> {
  readonly host: string;
  /** 0 picks a free port; the server reports the actual one. */
  readonly port: number;
  readonly services: RpcBindings<T>;
  /** Omitted: plaintext, for a cluster network that is already private (see ADR 0005). */
  readonly tls?: RpcServerTls;
  readonly logger?: RpcLogger;
  /**
   * Connections older than this are ended with a GOAWAY once their calls
   * are done (each gets the same time again as grace). Clients reconnect
   * and resolve the target anew, so a `dns:///` client spreads over
   * replicas added since it connected: without it, a scale-up gets no calls
   * from clients already connected. Omitted: connections live forever.
   */
  readonly maxConnectionAgeMs?: number;
}

export interface RpcServer {
  readonly port: number;
  /** Lets in-flight calls finish for up to `graceMs` (5 s), then cuts them. Idempotent. */
  close(graceMs?: number): Promise<void>;
}

/** Bodies stay opaque Buffers to grpc-js: JSON parsing happens in the dispatcher, where errors map. */
const identity = (buffer: Buffer): Buffer => buffer;

function serviceDefinition(contract: RpcContract): ServiceDefinition {
  const methods = Object.keys(contract.methods).map((method) => [
    method,
    {
      path: rpcPath(contract.service, method),
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  ]);
  return Object.fromEntries(methods) as ServiceDefinition;
}

function implementation(
  contract: RpcContract,
  dispatcher: Dispatcher,
  logger: RpcLogger,
): UntypedServiceImplementation {
  const entries = Object.keys(contract.methods).map((method) => {
    const path = rpcPath(contract.service, method);
    const handle = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const correlationId = correlationIdOr(call.metadata.get(CORRELATION_METADATA)[0]);
      const carried = metadataText(call.metadata);
      const context = incomingContext(carried, correlationId);
      void rpcServerSpan(path, 'grpc', carried, context, async () => {
        const started = performance.now();
        const outcome = await dispatcher.dispatch(path, call.request.toString('utf8'), {
          correlationId,
          signal: abort.signal,
        });
        // The server side's access log: inside the context, so it carries the caller's request id.
        logger.info?.('rpc handled', {
          log: 'rpc',
          path,
          outcome: outcome.ok ? 'ok' : outcome.error.error,
          duration_ms: Math.round((performance.now() - started) * 100) / 100,
        });
        return outcome;
      }).then((outcome) =>
        outcome.ok
          ? callback(null, Buffer.from(outcome.body, 'utf8'))
          : callback(toGrpcError(outcome.error)),
      );
    };
    return [method, handle];
  });
  return Object.fromEntries(entries) as UntypedServiceImplementation;
}

function credentials(tls: RpcServerTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const requireClientCert = tls.requireClientCert ?? tls.ca !== undefined;
  return ServerCredentials.createSsl(
    tls.ca ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    requireClientCert,
  );
}

/** Serves the given contracts over gRPC (one unary method per contract method). */
export async function createRpcServer<const T extends readonly RpcContract[]>(
  options: RpcServerOptions<T>,
): Promise<RpcServer> {
  const logger = options.logger ?? defaultRpcLogger;
  const bindings = options.services as readonly RpcBindings<readonly RpcContract[]>[number][];
  const dispatcher = createDispatcher(bindings, logger);
  const server = new Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    ...(options.maxConnectionAgeMs === undefined
      ? {}
      : {
          'grpc.max_connection_age_ms': options.maxConnectionAgeMs,
          'grpc.max_connection_age_grace_ms': options.maxConnectionAgeMs,
        }),
  });
  for (const { contract } of bindings) {
    server.addService(serviceDefinition(contract), implementation(contract, dispatcher, logger));
  }
  const host =
    options.host.includes(':') && !options.host.startsWith('[')
      ? `[${options.host}]`
      : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, credentials(options.tls), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );

  let closing: Promise<void> | undefined;
  const close = (graceMs = 5_000): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    }));
  return { port, close };
}
