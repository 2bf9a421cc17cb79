import { Module } from '@nestjs/common';
import { Projector } from '@idp/nest-kit';
import { JwksProjection } from './jwks.projection';
import { ReadModelConsumer } from './read-model.consumer';
import { INTROSPECTION_PROJECTOR } from './projections.module.tokens';

@Module({
  controllers: [ReadModelConsumer],
  providers: [
    JwksProjection,
    {
      provide: INTROSPECTION_PROJECTOR,
      useFactory: (jwks: JwksProjection) => new Projector([jwks]),
      inject: [JwksProjection],
    },
  ],
  exports: [INTROSPECTION_PROJECTOR, JwksProjection],
})
export class ProjectionsModule {}
