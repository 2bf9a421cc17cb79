import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { ADMIN_RPC, BACKCHANNEL_RPC, SESSION_RPC, SSF_RPC, TOKEN_RPC } from '@idp/contracts';

type ClientProvider = Omit<Provider, 'provide'>;

/**
 * Binds the RPC client tokens a process calls (auth-api: all three;
 * introspection-service: token only). The distributed composition root
 * passes gRPC clients as values; the embedded one passes factory providers
 * that build in-process clients over the services in the same process.
 */
@Global()
@Module({})
export class RpcClientsModule {
  static forRoot(options: {
    token: ClientProvider;
    session?: ClientProvider;
    /** token-service's AdminRpc (registration and admin API), usually the same address as `token`. */
    admin?: ClientProvider;
    /** session-service's BackchannelRpc (admin API for back-channel logout dead letters). */
    backchannel?: ClientProvider;
    /** session-service's SsfRpc (the Shared Signals transmitter: streams, poll, dead letters). */
    ssf?: ClientProvider;
    imports?: DynamicModule['imports'];
  }): DynamicModule {
    const bound: [symbol, ClientProvider | undefined][] = [
      [TOKEN_RPC, options.token],
      [SESSION_RPC, options.session],
      [ADMIN_RPC, options.admin],
      [BACKCHANNEL_RPC, options.backchannel],
      [SSF_RPC, options.ssf],
    ];
    const providers = bound
      .filter((b): b is [symbol, ClientProvider] => b[1] !== undefined)
      .map(([provide, p]) => ({ provide, ...p }) as Provider);
    return {
      module: RpcClientsModule,
      imports: options.imports ?? [],
      providers,
      exports: providers.map((p) => (p as { provide: symbol }).provide),
    };
  }
}
