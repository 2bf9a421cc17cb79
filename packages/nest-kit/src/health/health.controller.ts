import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthRegistry } from './health.registry';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the event loop answers. Never checks dependencies (a DB outage must not restart pods). */
  @Get('live')
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  /** Readiness: every real dependency answers; 503 takes the instance out of load balancing. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.registry.readiness();
    reply.header('Cache-Control', 'no-store');
    if (report.status !== 'ready') reply.status(503);
    return report;
  }
}
