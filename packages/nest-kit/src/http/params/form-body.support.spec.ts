import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { FormBodySupport } from './form-body.support';

@Controller()
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [EchoController], providers: [FormBodySupport] })
class EchoModule {}

async function boot(bodyParser: boolean): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(EchoModule, new FastifyAdapter(), {
    bodyParser,
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('FormBodySupport', () => {
  it.each([
    ['adds @fastify/formbody when the app has no form parser', false],
    ["keeps Nest's own form parser when there is one", true],
  ])('%s', async (_, bodyParser) => {
    const app = await boot(bodyParser);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'a=1&b=x+y&a=2',
      });
      expect(res.statusCode).toBe(201);
      // Repeats stay visible as arrays, so parseParams can refuse them.
      expect(res.json()).toEqual({ a: ['1', '2'], b: 'x y' });
    } finally {
      await app.close();
    }
  });
});
