import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import {
  createRpcServer,
  type RpcBinding,
  type RpcLogger,
  type RpcServer,
  type RpcServerTls,
} from '@idp/rpc';

export interface GrpcServerOptions {
  readonly host: string;
  /** 0 picks a free port; `port` reports the actual one once listening. */
  readonly port: number;
  /** The contracts to serve, asked for when listening (RpcHandlerRegistry.bindings). */
  readonly services: () => readonly RpcBinding[];
  /** GRPC_MAX_CONNECTION_AGE_MS: see RpcServerOptions. */
  readonly maxConnectionAgeMs?: number;
  readonly tls?: RpcServerTls;
  readonly logger?: RpcLogger;
}

/**
 * A NestJS transport serving the application's @RpcHandler providers over
 * gRPC, through packages/rpc's server (which stays free of Nest: it is the
 * wire layer; ADR 0005, ADR 0023). Nest starts it (`listen`) and closes it
 * with the app; the shutdown sequence closes it earlier, in its 'grpc'
 * stage, with a grace bounded by the deadline, and Nest's later close is
 * then a no-op.
 */
export class GrpcServer extends Server implements CustomTransportStrategy {
  private starting: Promise<RpcServer> | undefined;
  private server: RpcServer | undefined;
  private closed = false;

  constructor(private readonly options: GrpcServerOptions) {
    super();
  }

  /** The bound port (after listen). */
  get port(): number {
    if (!this.server) throw new Error('GrpcServer is not listening');
    return this.server.port;
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    if (this.closed) return callback(new Error('GrpcServer is closed'));
    const { services, ...options } = this.options;
    try {
      this.starting ??= createRpcServer({ ...options, services: services() });
      this.server = await this.starting;
    } catch (err) {
      // A port in use or a contract without its handler: the process must not start.
      callback(err);
      return;
    }
    callback();
  }

  /** Lets calls in flight finish for up to `graceMs` (5 s), then cuts them. Idempotent. */
  async close(graceMs?: number): Promise<void> {
    this.closed = true;
    const server = await this.starting?.catch(() => undefined);
    await server?.close(graceMs);
  }

  on(): never {
    throw new Error('GrpcServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.server as T;
  }
}
