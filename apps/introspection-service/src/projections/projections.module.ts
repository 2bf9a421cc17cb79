import { Module } from '@nestjs/common';
import { Projector } from '@idp/eventsourcing';
import { ClientInvalidationProjection } from './client-invalidation.projection';
import { GrantIntrospectionProjection } from './grant-introspection.projection';
import { JwksProjection } from './jwks.projection';
import { ReadModelConsumer } from './read-model.consumer';
import { INTROSPECTION_PROJECTOR } from './projections.module.tokens';

@Module({
  controllers: [ReadModelConsumer],
  providers: [
    JwksProjection,
    GrantIntrospectionProjection,
    ClientInvalidationProjection,
    {
      provide: INTROSPECTION_PROJECTOR,
      useFactory: (
        jwks: JwksProjection,
        grants: GrantIntrospectionProjection,
        clients: ClientInvalidationProjection,
      ) => new Projector([jwks, grants, clients]),
      inject: [JwksProjection, GrantIntrospectionProjection, ClientInvalidationProjection],
    },
  ],
  exports: [INTROSPECTION_PROJECTOR, JwksProjection],
})
export class ProjectionsModule {}
