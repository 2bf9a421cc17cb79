import { Module } from '@nestjs/common';
import { SessionsModule } from './sessions/sessions.module';

/**
 * session-service's features, over the infrastructure ports bound by the
 * composition root (its own main.ts or the embedded process).
 */
@Module({ imports: [SessionsModule], exports: [SessionsModule] })
export class SessionServiceModule {}
