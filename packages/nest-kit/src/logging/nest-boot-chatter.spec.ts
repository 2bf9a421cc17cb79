import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { createLogger } from '@idp/observability';
import { PinoNestLogger } from './nest-logger';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return {
    lines,
    adapter: new PinoNestLogger(createLogger({ service: 'svc', level, destination })),
  };
}

@Controller('things')
class ThingsController {
  @Get()
  list(): string[] {
    return [];
  }
}
@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe("Nest's start-up narration (a line per module, controller and route)", () => {
  afterEach(() => Logger.overrideLogger(false));

  async function boot(level: string) {
    const { lines, adapter } = capture(level);
    const app = await NestFactory.create<NestFastifyApplication>(
      ThingsModule,
      new FastifyAdapter(),
      {
        logger: adapter,
      },
    );
    await app.init();
    new Logger('HTTP').log('listening');
    await app.close();
    return lines;
  }

  it("is not written at info: only the app's own lines are", async () => {
    const lines = await boot('info');
    expect(lines.map((l) => l['msg'])).toEqual(['listening']);
  });

  it('is still there at debug, route mappings included', async () => {
    const lines = await boot('debug');
    const routes = lines.filter((l) => l['context'] === 'RouterExplorer');
    expect(routes).toEqual([
      expect.objectContaining({ level: 'debug', msg: expect.stringContaining('/things, GET') }),
    ]);
  });
});
