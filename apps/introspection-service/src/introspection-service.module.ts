import { Module } from '@nestjs/common';
import { IntrospectionModule } from './introspection/introspection.module';
import { ProjectionsModule } from './projections/projections.module';

/**
 * introspection-service's features over the read-model cache, the
 * invalidations and the event bus (from InfraModule) and TOKEN_RPC (from
 * RpcClientsModule).
 */
@Module({ imports: [ProjectionsModule, IntrospectionModule], exports: [ProjectionsModule] })
export class IntrospectionServiceModule {}
