import {
  currentContext,
  extractFrom,
  injectInto,
  newContext,
  runWithContext,
  setClientId,
} from './request-context';
import { isValidRequestId, requestIdOr } from './request-id';
import { newTraceparent, parseTraceparent, validTracestate } from './trace-context';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id validation', () => {
  it.each([
    'abc',
    'req-42',
    'a.b_c~d:e@f/g+h=i',
    'x'.repeat(128),
    '0190c1d2-7b1e-7f00-8000-000000000000',
  ])('keeps %s', (id) => {
    expect(isValidRequestId(id)).toBe(true);
    expect(requestIdOr(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['a space', 'a b'],
    ['a newline (log forging)', 'ok\n{"level":"error"}'],
    ['a quote', 'a"b'],
    ['angle brackets', '<script>'],
    ['a control character', 'a\u0000b'],
    ['non-ASCII', 'café'],
    ['a comma (joined header)', 'a,b'],
  ])('replaces one with %s by a fresh UUID, never echoing it', (_why, id) => {
    expect(isValidRequestId(id)).toBe(false);
    const replaced = requestIdOr(id);
    expect(replaced).toMatch(UUID);
    expect(replaced).not.toContain(id || '\u0001');
  });

  it('replaces non-strings', () => {
    expect(requestIdOr(undefined)).toMatch(UUID);
    expect(requestIdOr(['a', 'b'])).toMatch(UUID);
  });
});

describe('traceparent parsing (W3C, strict)', () => {
  it('accepts a valid version-00 header', () => {
    expect(parseTraceparent(TRACEPARENT)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      flags: '01',
    });
  });

  it.each([
    ['another version', TRACEPARENT.replace(/^00/, '01')],
    ['version ff', TRACEPARENT.replace(/^00/, 'ff')],
    ['uppercase hex', TRACEPARENT.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['trailing data', `${TRACEPARENT}-extra`],
    ['surrounding spaces', ` ${TRACEPARENT} `],
    ['non-hex', '00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01'],
    ['nothing', ''],
  ])('refuses %s', (_why, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('generates valid, distinct traceparents', () => {
    const a = newTraceparent();
    const b = newTraceparent();
    expect(parseTraceparent(a)).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('keeps a well-formed tracestate and drops a malformed one', () => {
    expect(validTracestate('rojo=00f067aa0ba902b7, congo=t61rcWkgMzE')).toBe(
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    );
    expect(validTracestate('no equals sign')).toBeUndefined();
    expect(validTracestate(`a=${'x'.repeat(600)}`)).toBeUndefined();
  });
});

describe('request context', () => {
  it('keeps valid incoming parts and replaces invalid ones', () => {
    const kept = extractFrom({
      'x-request-id': 'r-1',
      traceparent: TRACEPARENT,
      tracestate: 'a=b',
    });
    expect(kept).toMatchObject({ requestId: 'r-1', traceparent: TRACEPARENT, tracestate: 'a=b' });
    expect(kept.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');

    const replaced = extractFrom({
      'x-request-id': 'bad id',
      traceparent: 'junk',
      tracestate: 'a=b',
    });
    expect(replaced.requestId).toMatch(UUID);
    expect(replaced.traceparent).not.toBe('junk');
    expect(parseTraceparent(replaced.traceparent)).toBeDefined();
    // A tracestate only travels with the traceparent it belongs to.
    expect(replaced.tracestate).toBeUndefined();
  });

  it('follows async calls and round-trips through a carrier', async () => {
    const context = newContext({ requestId: 'r-2', traceparent: TRACEPARENT });
    const carrier = await runWithContext(context, async () => {
      await new Promise((r) => setTimeout(r, 1));
      setClientId('rp-1');
      return injectInto({});
    });
    expect(context.clientId).toBe('rp-1');
    expect(carrier).toEqual({ 'x-request-id': 'r-2', traceparent: TRACEPARENT });
    expect(extractFrom(carrier)).toMatchObject({ requestId: 'r-2', traceparent: TRACEPARENT });
    expect(currentContext()).toBeUndefined();
    expect(injectInto({})).toEqual({});
  });
});
