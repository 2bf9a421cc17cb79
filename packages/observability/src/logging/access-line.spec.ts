import { Writable } from 'node:stream';
import { newContext, runWithContext, setClientId } from '../context/request-context';
import { logAccess, type AccessLine } from './access-line';
import { configureLogging, rootLogger } from './logger';
import { REDACTED } from './redaction';

const lines: Record<string, unknown>[] = [];
const raw: string[] = [];

function capture(level: string): void {
  lines.length = 0;
  raw.length = 0;
  configureLogging({
    service: 'introspection-service',
    level,
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          raw.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    }),
  });
}

afterAll(() => configureLogging({ service: 'test', level: 'silent' }));

const context = newContext({ requestId: 'req-7' });
const base: AccessLine = {
  method: 'POST',
  route: '/introspect',
  status: 200,
  durationMs: 1.23456,
  aborted: false,
  requestId: context.requestId,
  traceId: context.traceId,
};

describe('logAccess', () => {
  it('writes the line pino would write for the same fields, in the same context', () => {
    capture('info');
    runWithContext(context, () => {
      setClientId('rp-1');
      logAccess({ ...base, clientId: 'rp-1' });
      rootLogger().info(
        {
          log: 'access',
          method: 'POST',
          route: '/introspect',
          status: 200,
          duration_ms: 1.23,
        },
        'request completed',
      );
    });
    const [ours, pinos] = lines.map(({ time, ...rest }) => ({ ...rest, timeIsIso: isIso(time) }));
    expect(ours).toEqual(pinos);
    expect(ours).toMatchObject({ timeIsIso: true, request_id: 'req-7', client_id: 'rp-1' });
    // Same key order as well: a reader diffing two lines sees the same shape.
    expect(Object.keys(lines[0]!)).toEqual(Object.keys(lines[1]!));
    expect(raw[0]!.endsWith('}')).toBe(true);
  });

  it('is a warning for 5xx answers and says when the client went away', () => {
    capture('info');
    logAccess({ ...base, status: 503, aborted: true, method: undefined, route: null });
    expect(lines[0]).toMatchObject({
      level: 'warn',
      status: 503,
      aborted: true,
      method: null,
      route: null,
    });
    logAccess(base);
    expect(lines[1]).not.toHaveProperty('aborted');
    expect(lines[1]).not.toHaveProperty('client_id');
  });

  it('honours the level: nothing at warn for a 200, the line for a 500', () => {
    capture('warn');
    logAccess(base);
    expect(lines).toHaveLength(0);
    logAccess({ ...base, status: 500 });
    expect(lines).toHaveLength(1);
  });

  it('scrubs a credential-shaped client id and escapes what JSON must escape', () => {
    capture('info');
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    logAccess({ ...base, clientId: `a "quoted"\n${jwt}`, route: '/a"b' });
    expect(lines[0]).toMatchObject({ client_id: `a "quoted"\n${REDACTED}`, route: '/a"b' });
    expect(raw).toHaveLength(1);
  });
});

function isIso(value: unknown): boolean {
  return typeof value === 'string' && new Date(value).toISOString() === value;
}
