import { Module } from '@nestjs/common';
import {
  CACHE_INVALIDATIONS,
  type CacheInvalidations,
  READ_MODEL_CACHE,
  type ReadModelCache,
} from '@idp/cache';
import { EndpointRateLimits, FormBodySupport } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { JwksProjection } from '../projections/jwks.projection';
import { ProjectionsModule } from '../projections/projections.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { CallerAuthenticator } from './caller-authenticator';
import { CallerCache } from './caller-cache';
import { IntrospectRoute } from './introspect.route';
import { IntrospectionConfig } from './introspection-config';
import { TokenIntrospector } from './token-introspector';

/**
 * POST /introspect. Needs, from the composition root: the read-model cache
 * and the invalidations (InfraModule), and TOKEN_RPC (RpcClientsModule) for
 * client authentication, read-through and RFC 9701 signing.
 */
@Module({
  imports: [ProjectionsModule],
  providers: [
    FormBodySupport,
    EndpointRateLimits,
    IntrospectRoute,
    IntrospectionConfig,
    {
      provide: AccessTokenVerifier,
      useFactory: (jwks: JwksProjection, config: IntrospectionConfig) =>
        new AccessTokenVerifier(jwks, config),
      inject: [JwksProjection, IntrospectionConfig],
    },
    {
      provide: TokenIntrospector,
      useFactory: (
        cache: ReadModelCache,
        tokens: TokenRpcClient,
        verifier: AccessTokenVerifier,
        config: IntrospectionConfig,
      ) => new TokenIntrospector(cache, tokens, verifier, config),
      inject: [READ_MODEL_CACHE, TOKEN_RPC, AccessTokenVerifier, IntrospectionConfig],
    },
    {
      provide: CallerAuthenticator,
      useFactory: (
        tokens: TokenRpcClient,
        invalidations: CacheInvalidations,
        config: IntrospectionConfig,
      ) =>
        new CallerAuthenticator(
          tokens,
          new CallerCache(config.callerCacheTtlMs),
          invalidations,
          config.endpoint,
        ),
      inject: [TOKEN_RPC, CACHE_INVALIDATIONS, IntrospectionConfig],
    },
  ],
})
export class IntrospectionModule {}
