import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { ADMIN_RPC, SESSION_RPC, TOKEN_RPC } from './rpc-contracts';

/**
 * Binds the RPC client tokens for auth-api. The distributed composition root
 * passes gRPC clients as values; the embedded one passes factory providers
 * that build in-process clients over the services in the same process.
 */
@Global()
@Module({})
export class RpcClientsModule {
  static forRoot(options: {
    token: Omit<Provider, 'provide'>;
    session: Omit<Provider, 'provide'>;
    /** token-service's AdminRpc (registration and admin API), usually the same address as `token`. */
    admin: Omit<Provider, 'provide'>;
    imports?: DynamicModule['imports'];
  }): DynamicModule {
    const providers = [
      { provide: TOKEN_RPC, ...options.token } as Provider,
      { provide: SESSION_RPC, ...options.session } as Provider,
      { provide: ADMIN_RPC, ...options.admin } as Provider,
    ];
    return {
      module: RpcClientsModule,
      imports: options.imports ?? [],
      providers,
      exports: [TOKEN_RPC, SESSION_RPC, ADMIN_RPC],
    };
  }
}
