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

  /**
   * Readiness: the dependencies this process cannot answer without; 503
   * takes the instance out of load balancing. The others (the bus, behind
   * the outbox) never fail it: docs/operations/health.md.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.registry.readiness();
    reply.header('Cache-Control', 'no-store');
    if (report.status !== 'ready') reply.status(503);
    return report;
  }

  /** Every dependency, required or not: always 200, for people and dashboards, never for probes. */
  @Get('dependencies')
  async dependencies(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    return this.registry.dependencies();
  }
}
