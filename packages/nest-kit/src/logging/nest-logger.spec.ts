import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { createLogger } from '@idp/observability';
import { PinoNestLogger } from './nest-logger';

function capture(level = 'trace') {
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

describe('PinoNestLogger', () => {
  afterEach(() => Logger.overrideLogger(false));

  it('routes new Logger(context) calls to pino with the context as a field', () => {
    const { lines, adapter } = capture();
    Logger.overrideLogger(adapter);
    new Logger('HTTP').log('listening');
    new Logger('Rpc').verbose('detail');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'listening', context: 'HTTP', service: 'svc' }),
      expect.objectContaining({ level: 'trace', msg: 'detail', context: 'Rpc' }),
    ]);
  });

  it('keeps an Error to its type, message and stack, and an object message as fields', () => {
    const { lines, adapter } = capture();
    adapter.error(Object.assign(new Error('boom'), { query: 'SELECT secret' }), 'Ctx');
    adapter.warn({ event: 'x', client_secret: 's3cr3t' }, 'Ctx');
    expect(lines[0]).toMatchObject({
      level: 'error',
      msg: 'boom',
      context: 'Ctx',
      err: { type: 'Error' },
    });
    expect(JSON.stringify(lines)).not.toContain('SELECT secret');
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
    expect(lines[1]).toMatchObject({ event: 'x', context: 'Ctx' });
  });

  it('filters by the pino level', () => {
    const { lines, adapter } = capture('warn');
    adapter.log('quiet', 'Ctx');
    adapter.warn('loud', 'Ctx');
    expect(lines.map((l) => l['msg'])).toEqual(['loud']);
  });
});
