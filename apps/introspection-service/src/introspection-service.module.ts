import { Module } from '@nestjs/common';
import { ProjectionsModule } from './projections/projections.module';

/** introspection-service's features over the read-model cache and the event bus (from InfraModule). */
@Module({ imports: [ProjectionsModule], exports: [ProjectionsModule] })
export class IntrospectionServiceModule {}
