import { Writable } from 'node:stream';
import { newContext, runWithContext, setClientId } from '../context/request-context';
import { parseLevel, resolveFormat } from './levels';
import { createLogger } from './logger';
import { isSensitiveKey, redact, REDACTED } from './redaction';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

const JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjF9.c2lnbmF0dXJlLXZhbHVl';

describe('createLogger', () => {
  it('writes one JSON object per line with time, level name, service and msg', () => {
    const { lines, stream } = sink();
    createLogger({ service: 'auth-api', destination: stream }).info({ route: '/token' }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'auth-api',
      msg: 'hello',
      route: '/token',
    });
    expect(new Date(lines[0]!['time'] as string).toISOString()).toBe(lines[0]!['time']);
  });

  it('adds request_id, trace_id and client_id inside a request context', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 's', destination: stream });
    const context = newContext({ requestId: 'req-9' });
    runWithContext(context, () => {
      setClientId('rp-1');
      log.warn('inside');
    });
    log.warn('outside');
    expect(lines[0]).toMatchObject({
      request_id: 'req-9',
      trace_id: context.traceId,
      client_id: 'rp-1',
    });
    expect(lines[1]).not.toHaveProperty('request_id');
  });

  it('honours the level, Nest aliases included', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 's', level: 'log', destination: stream });
    log.debug('hidden');
    log.info('shown');
    expect(lines.map((l) => l['msg'])).toEqual(['shown']);
    expect(parseLevel('verbose')).toBe('trace');
    expect(parseLevel('log')).toBe('info');
    expect(parseLevel('WARN')).toBe('warn');
    expect(parseLevel('loud')).toBeUndefined();
    expect(resolveFormat(undefined, true)).toBe('pretty');
    expect(resolveFormat(undefined, false)).toBe('json');
    expect(resolveFormat('json', true)).toBe('json');
  });
});

describe('redaction policy', () => {
  it.each([
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'access_token',
    'refreshToken',
    'id_token',
    'client_secret',
    'password',
    'code',
    'code_verifier',
    'client_assertion',
    'body',
    'rawBody',
  ])('treats %s as sensitive', (key) => expect(isSensitiveKey(key)).toBe(true));

  it.each(['client_id', 'request_id', 'route', 'status', 'statusCode', 'method', 'sid', 'topic'])(
    'keeps %s',
    (key) => expect(isSensitiveKey(key)).toBe(false),
  );

  it('replaces sensitive fields at any depth and cuts tokens out of text', () => {
    const out = redact({
      headers: { authorization: 'Basic cnA6c2VjcmV0', cookie: 'sid=abc', 'x-request-id': 'r' },
      nested: [{ refresh_token: 'rt-123' }],
      note: `got ${JWT} from Bearer abc.def`,
    });
    expect(out).toEqual({
      headers: { authorization: REDACTED, cookie: REDACTED, 'x-request-id': 'r' },
      nested: [{ refresh_token: REDACTED }],
      note: `got ${REDACTED} from Bearer ${REDACTED}`,
    });
  });

  it('logs only the type, message and stack of an error, never its other fields', () => {
    const err = Object.assign(new Error('insert failed'), {
      parameters: ['hash-of-token'],
      code: 'ECONNRESET',
    });
    const out = redact({ err }) as { err: Record<string, unknown> };
    expect(out.err).toMatchObject({ type: 'Error', message: 'insert failed', errno: 'ECONNRESET' });
    expect(JSON.stringify(out)).not.toContain('hash-of-token');
  });

  it('applies to what reaches the logger, the message included', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 's', level: 'trace', destination: stream });
    log.info(
      {
        headers: { Authorization: 'Bearer secret-at', 'set-cookie': ['idp_session=x'] },
        password: 'pw',
      },
      `token ${JWT}`,
    );
    const text = JSON.stringify(lines);
    for (const secret of ['secret-at', 'idp_session=x', '"pw"', JWT])
      expect(text).not.toContain(secret);
  });
});
