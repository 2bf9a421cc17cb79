import { freshEventMeta } from './define-event';
import { envelopeSchema } from './envelope';
import {
  AccessTokenIssued,
  deadLetterTopic,
  EventValidationError,
  ManualClock,
  parseEvent,
  sequentialId,
  SessionStarted,
  streamId,
  TOPICS,
  topicForStream,
  uuidv7,
  UUID_V7_PATTERN,
} from './index';

// A new id per event: ids are unique in the store.
const meta = () => freshEventMeta('corr-1');
const stored = <T extends object>(pending: T, stream = 'session-s1', streamVersion = 1) => ({
  ...pending,
  stream,
  streamVersion,
});

describe('uuidv7', () => {
  it('is a version 7 RFC 9562 UUID whose prefix is the creation time', () => {
    const id = uuidv7(0x0123456789ab);
    expect(id).toMatch(UUID_V7_PATTERN);
    expect(id.startsWith('01234567-89ab-7')).toBe(true);
  });

  it('sorts by creation time', () => {
    const ids = [uuidv7(1000), uuidv7(2000), uuidv7(3000)];
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('defineEvent', () => {
  it('creates a pending event with exactly the id, time and correlation id it is given', () => {
    const given = {
      id: sequentialId(7),
      occurredAt: '2026-01-02T03:04:05.678Z',
      correlationId: 'corr-1',
    };
    const e = SessionStarted.create(
      { sid: 's1', sub: 'u1', authTime: 1, idleExpiresAt: 2, absoluteExpiresAt: 3 },
      given,
    );
    expect(e).toEqual({
      ...given,
      type: 'session.started',
      version: 1,
      // schema defaults are applied on create
      data: { sid: 's1', sub: 'u1', authTime: 1, amr: [], idleExpiresAt: 2, absoluteExpiresAt: 3 },
    });
  });

  it('freshEventMeta takes a new UUIDv7 and the time from the clock', () => {
    const clock = new ManualClock(0x0123456789ab);
    const a = freshEventMeta('corr-1', {}, clock);
    const b = freshEventMeta('corr-1', {}, clock);
    expect(a.id).toMatch(UUID_V7_PATTERN);
    expect(a.id.startsWith('01234567-89ab-7')).toBe(true);
    expect(b.id).not.toBe(a.id);
    expect(a.occurredAt).toBe(new Date(0x0123456789ab).toISOString());
    expect(a.correlationId).toBe('corr-1');
  });

  it('refuses to create an event whose data breaks its schema', () => {
    expect(() => SessionStarted.create({ sid: 's1' } as never, meta())).toThrow(
      EventValidationError,
    );
  });
});

describe('parseEvent', () => {
  const valid = stored(
    SessionStarted.create(
      { sid: 's1', sub: 'u1', authTime: 1, idleExpiresAt: 2, absoluteExpiresAt: 3 },
      meta(),
    ),
  );

  it('accepts a registered event and returns it typed', () => {
    const e = parseEvent(JSON.parse(JSON.stringify(valid)));
    expect(e.type).toBe('session.started');
    expect(SessionStarted.is(e)).toBe(true);
  });

  it.each([
    ['a missing envelope field', { ...valid, correlationId: undefined }],
    ['an id that is not a UUIDv7', { ...valid, id: 'not-a-uuid' }],
    ['a non-positive stream version', { ...valid, streamVersion: 0 }],
    ['an unknown type', { ...valid, type: 'session.exploded' }],
    ['an unknown schema version', { ...valid, version: 99 }],
    ['data that breaks the schema', { ...valid, data: { sid: 's1' } }],
    ['a type that is not <aggregate>.<fact>', { ...valid, type: 'SessionStarted' }],
    ['not an object at all', 'garbage'],
  ])('rejects %s', (_label, raw) => {
    expect(() => parseEvent(raw)).toThrow(EventValidationError);
  });

  it('checks a registered event in one pass: the envelope alone only to name what is wrong', () => {
    const envelopeOnly = jest.spyOn(envelopeSchema, 'safeParse');
    try {
      parseEvent(JSON.parse(JSON.stringify(valid)));
      expect(envelopeOnly).not.toHaveBeenCalled();
      expect(() => parseEvent({ ...valid, id: 'not-a-uuid' })).toThrow('malformed envelope');
      expect(() => parseEvent({ ...valid, data: { sid: 's1' } })).toThrow(
        'invalid session.started v1',
      );
      expect(() => parseEvent({ ...valid, version: 99 })).toThrow(
        'unknown event session.started v99',
      );
    } finally {
      envelopeOnly.mockRestore();
    }
  });

  it('lists what is wrong, for the dead-letter record', () => {
    try {
      parseEvent({ ...valid, data: { sid: 's1' } });
      throw new Error('expected a validation error');
    } catch (err) {
      expect(err).toBeInstanceOf(EventValidationError);
      expect((err as EventValidationError).issues.join('\n')).toMatch(/data\.sub/);
    }
  });

  it('rejects a token hash that is not a keyed hash (no token in clear in an event)', () => {
    const bad = {
      grantId: 'g1',
      jti: 'j1',
      tokenHash: 'at_clear-token',
      format: 'opaque' as const,
      clientId: 'c1',
      scope: 'openid',
      aud: ['https://api'],
      iat: 1,
      exp: 2,
    };
    expect(() => AccessTokenIssued.create(bad, meta())).toThrow(EventValidationError);
  });
});

describe('topics and streams', () => {
  it('routes each aggregate stream to exactly one topic', () => {
    expect(topicForStream(streamId('grant', 'g1'))).toBe(TOPICS.token);
    expect(topicForStream(streamId('session', 's1'))).toBe(TOPICS.session);
    expect(topicForStream(streamId('client', 'c1'))).toBe(TOPICS.client);
    expect(topicForStream('key-ring')).toBe(TOPICS.key);
    expect(topicForStream(streamId('user', 'u1'))).toBe(TOPICS.user);
    expect(topicForStream(streamId('loginThrottle', 'k'))).toBe(TOPICS.user);
    expect(() => topicForStream('mystery-1')).toThrow(/no topic/);
  });

  it('names dead-letter topics after their topic', () => {
    expect(deadLetterTopic(TOPICS.token)).toBe('idp.internal.token.events.dlq');
  });
});
