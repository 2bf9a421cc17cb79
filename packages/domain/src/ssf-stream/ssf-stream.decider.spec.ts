import { SSF_REQUESTABLE_EVENTS, SSF_EVENT_TYPES, TOPICS, topicForStream } from '@idp/contracts';
import { deciderSpec, specMeta } from '@idp/testing';
import { type DomainRuleError, fold } from '../decider';
import { outboundPolicy } from '../outbound';
import { ssfStream } from '../streams';
import {
  ssfStreamDecider,
  type SsfStreamCommand,
  type SsfStreamPolicy,
  type SsfStreamState,
} from './ssf-stream.decider';
import { subjectKey } from './ssf-subjects';

const meta = specMeta(1_700_000_000, 'c-1');
const policy: SsfStreamPolicy = {
  supportedEvents: SSF_REQUESTABLE_EVENTS,
  outbound: outboundPolicy({ allow: ['rs.internal'], issuer: 'https://op.example.com' }),
  maxStreamsPerReceiver: 2,
  maxExcludedSubjects: 2,
};
const PUSH = { method: 'push' as const, endpointUrl: 'https://rs.example.com/set' };

const create = (over: Partial<Extract<SsfStreamCommand, { type: 'CreateSsfStream' }>> = {}) =>
  ({
    type: 'CreateSsfStream',
    streamId: 's-1',
    clientId: 'rs-1',
    config: {
      eventsRequested: [SSF_EVENT_TYPES.sessionRevoked, 'urn:example:unknown'],
      delivery: PUSH,
    },
    receiverStreams: 0,
    policy,
    meta,
    ...over,
  }) as SsfStreamCommand;

/** Runs commands in order from nothing, folding each one's events. */
function run(...commands: SsfStreamCommand[]): SsfStreamState {
  let state = ssfStreamDecider.initialState();
  for (const c of commands)
    state = fold(
      { ...ssfStreamDecider, initialState: () => state },
      ssfStreamDecider.decide(c, state) as never,
    );
  return state;
}
const rule = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as DomainRuleError).code;
  }
  return 'no error';
};

describe('Shared Signals stream decider', () => {
  const spec = deciderSpec(ssfStreamDecider);

  it('lives on the session topic under ssf-stream-<id>', () => {
    expect(ssfStream('abc')).toBe('ssf-stream-abc');
    expect(topicForStream(ssfStream('abc'))).toBe(TOPICS.session);
  });

  it('creates a stream: events_delivered = events_requested ∩ supported, enabled', () => {
    spec
      .given([])
      .when(create())
      .then([
        {
          type: 'ssf.stream_created',
          data: {
            streamId: 's-1',
            clientId: 'rs-1',
            eventsRequested: [SSF_EVENT_TYPES.sessionRevoked, 'urn:example:unknown'],
            eventsDelivered: [SSF_EVENT_TYPES.sessionRevoked],
            delivery: PUSH,
          },
        },
      ]);
    const state = run(create());
    expect(state).toMatchObject({ status: 'live', streamStatus: 'enabled', excluded: [] });
  });

  it('defaults to poll delivery when the receiver names none', () => {
    const state = run(create({ config: { eventsRequested: [] } }));
    expect(state).toMatchObject({ delivery: { method: 'poll' }, eventsDelivered: [] });
  });

  it.each([
    ['plain http to a public host', 'http://rs.example.com/set'],
    ['a loopback host under a public issuer', 'https://127.0.0.1/set'],
    ['a private address', 'https://10.0.0.7/set'],
    ['an internal name', 'https://rs.corp.internal/set'],
    ['credentials in the URL', 'https://user:pw@rs.example.com/set'],
    ['a fragment', 'https://rs.example.com/set#x'],
    ['another scheme', 'ftp://rs.example.com/set'],
    ['not a URL', 'rs.example.com/set'],
  ])('refuses a push endpoint with %s', (_what, endpointUrl) => {
    expect(
      rule(() =>
        ssfStreamDecider.decide(
          create({ config: { delivery: { method: 'push', endpointUrl } } }),
          ssfStreamDecider.initialState(),
        ),
      ),
    ).toBe('ssf.invalid_request');
  });

  it('takes plain http only to an allow-listed internal host', () => {
    expect(
      run(
        create({ config: { delivery: { method: 'push', endpointUrl: 'http://rs.internal/set' } } }),
      ),
    ).toMatchObject({ status: 'live' });
  });

  it('refuses one stream more than the receiver may own, and an existing stream id', () => {
    expect(
      rule(() =>
        ssfStreamDecider.decide(create({ receiverStreams: 2 }), ssfStreamDecider.initialState()),
      ),
    ).toBe('ssf.too_many_streams');
    expect(rule(() => ssfStreamDecider.decide(create(), run(create())))).toBe('ssf.exists');
  });

  it("answers every command on another receiver's stream, or a deleted one, as not found", () => {
    const live = run(create());
    const deleted = run(create(), { type: 'DeleteSsfStream', clientId: 'rs-1', meta });
    const commands: SsfStreamCommand[] = [
      { type: 'UpdateSsfStream', clientId: 'rs-2', config: {}, replace: false, policy, meta },
      { type: 'SetSsfStreamStatus', clientId: 'rs-2', streamStatus: 'paused', meta },
      { type: 'DeleteSsfStream', clientId: 'rs-2', meta },
      {
        type: 'AddSsfSubject',
        clientId: 'rs-2',
        subject: { format: 'opaque', id: 'x' },
        policy,
        meta,
      },
      {
        type: 'RemoveSsfSubject',
        clientId: 'rs-2',
        subject: { format: 'opaque', id: 'x' },
        policy,
        meta,
      },
    ];
    for (const c of commands)
      expect(rule(() => ssfStreamDecider.decide(c, live))).toBe('ssf.not_found');
    for (const c of commands.map((c) => ({ ...c, clientId: 'rs-1' })))
      expect(rule(() => ssfStreamDecider.decide(c, deleted))).toBe('ssf.not_found');
    expect(rule(() => ssfStreamDecider.decide(commands[0]!, ssfStreamDecider.initialState()))).toBe(
      'ssf.not_found',
    );
  });

  it('PATCH keeps what it does not name; PUT replaces the whole configuration', () => {
    const patched = run(create(), {
      type: 'UpdateSsfStream',
      clientId: 'rs-1',
      config: { description: 'gateway' },
      replace: false,
      policy,
      meta,
    });
    expect(patched).toMatchObject({
      description: 'gateway',
      delivery: PUSH,
      eventsDelivered: [SSF_EVENT_TYPES.sessionRevoked],
    });
    const replaced = run(create(), {
      type: 'UpdateSsfStream',
      clientId: 'rs-1',
      config: { eventsRequested: [SSF_EVENT_TYPES.tokenRevoked] },
      replace: true,
      policy,
      meta,
    });
    expect(replaced).toMatchObject({
      delivery: { method: 'poll' },
      eventsDelivered: [SSF_EVENT_TYPES.tokenRevoked],
    });
    // Nothing changed: no event.
    expect(
      ssfStreamDecider.decide(
        { type: 'UpdateSsfStream', clientId: 'rs-1', config: {}, replace: false, policy, meta },
        run(create()),
      ),
    ).toEqual([]);
  });

  it('keeps the subject format the receiver chose: PATCH without one keeps it, PUT without one drops it', () => {
    const update = (config: object, replace: boolean): SsfStreamCommand => ({
      type: 'UpdateSsfStream',
      clientId: 'rs-1',
      config,
      replace,
      policy,
      meta,
    });
    const chosen = create({ config: { delivery: PUSH, subjectFormat: 'iss_sub' } });
    spec
      .given([])
      .when(chosen)
      .then([
        {
          type: 'ssf.stream_created',
          data: {
            streamId: 's-1',
            clientId: 'rs-1',
            eventsRequested: [],
            eventsDelivered: [],
            delivery: PUSH,
            subjectFormat: 'iss_sub',
          },
        },
      ]);
    expect(run(chosen)).toMatchObject({ subjectFormat: 'iss_sub' });
    expect(run(chosen, update({ description: 'gw' }, false))).toMatchObject({
      subjectFormat: 'iss_sub',
      description: 'gw',
    });
    expect(run(chosen, update({ subjectFormat: 'opaque' }, false))).toMatchObject({
      subjectFormat: 'opaque',
    });
    expect(run(chosen, update({ delivery: PUSH }, true))).not.toHaveProperty('subjectFormat');
    // The same format again is no change; a stream created without one has none.
    expect(
      ssfStreamDecider.decide(update({ subjectFormat: 'iss_sub' }, false), run(chosen)),
    ).toEqual([]);
    expect(run(create())).not.toHaveProperty('subjectFormat');
  });

  it('keeps the sealed authorization header only while the endpoint stays the same', () => {
    const withHeader = run(
      create({ config: { delivery: { ...PUSH, sealedAuthorization: 'sealed-1' } } }),
    );
    const sameEndpoint = run(
      create({ config: { delivery: { ...PUSH, sealedAuthorization: 'sealed-1' } } }),
      {
        type: 'UpdateSsfStream',
        clientId: 'rs-1',
        config: { delivery: PUSH, description: 'x' },
        replace: false,
        policy,
        meta,
      },
    );
    const moved = run(
      create({ config: { delivery: { ...PUSH, sealedAuthorization: 'sealed-1' } } }),
      {
        type: 'UpdateSsfStream',
        clientId: 'rs-1',
        config: { delivery: { method: 'push', endpointUrl: 'https://elsewhere.example.com/set' } },
        replace: false,
        policy,
        meta,
      },
    );
    expect(withHeader).toMatchObject({ delivery: { sealedAuthorization: 'sealed-1' } });
    expect(sameEndpoint).toMatchObject({ delivery: { sealedAuthorization: 'sealed-1' } });
    expect(moved).toMatchObject({ delivery: { endpointUrl: 'https://elsewhere.example.com/set' } });
    expect((moved as { delivery: object }).delivery).not.toHaveProperty('sealedAuthorization');
  });

  it('moves between enabled, paused and disabled, with a reason; the same status twice is no event', () => {
    const paused = run(create(), {
      type: 'SetSsfStreamStatus',
      clientId: 'rs-1',
      streamStatus: 'paused',
      reason: 'maintenance',
      meta,
    });
    expect(paused).toMatchObject({ streamStatus: 'paused', reason: 'maintenance' });
    expect(
      ssfStreamDecider.decide(
        {
          type: 'SetSsfStreamStatus',
          clientId: 'rs-1',
          streamStatus: 'paused',
          reason: 'maintenance',
          meta,
        },
        paused,
      ),
    ).toEqual([]);
    const enabled = run(
      create(),
      { type: 'SetSsfStreamStatus', clientId: 'rs-1', streamStatus: 'disabled', meta },
      { type: 'SetSsfStreamStatus', clientId: 'rs-1', streamStatus: 'enabled', meta },
    );
    expect(enabled).toMatchObject({ streamStatus: 'enabled' });
    expect(enabled).not.toHaveProperty('reason');
  });

  it('removes a subject (excluded from then on) and adds it back; both idempotent', () => {
    const user = { format: 'iss_sub', iss: 'https://op.example.com', sub: 'u-1' };
    const removed = run(create(), {
      type: 'RemoveSsfSubject',
      clientId: 'rs-1',
      subject: user,
      policy,
      meta,
    });
    expect(removed).toMatchObject({ excluded: [subjectKey(user)] });
    expect(
      ssfStreamDecider.decide(
        { type: 'RemoveSsfSubject', clientId: 'rs-1', subject: { ...user }, policy, meta },
        removed,
      ),
    ).toEqual([]);
    const added = run(
      create(),
      { type: 'RemoveSsfSubject', clientId: 'rs-1', subject: user, policy, meta },
      { type: 'AddSsfSubject', clientId: 'rs-1', subject: user, policy, meta },
    );
    expect(added).toMatchObject({ excluded: [] });
    expect(
      ssfStreamDecider.decide(
        { type: 'AddSsfSubject', clientId: 'rs-1', subject: user, policy, meta },
        run(create()),
      ),
    ).toEqual([]);
  });

  it('bounds the removed subjects', () => {
    const remove = (id: string): SsfStreamCommand => ({
      type: 'RemoveSsfSubject',
      clientId: 'rs-1',
      subject: { format: 'opaque', id },
      policy,
      meta,
    });
    const full = run(create(), remove('a'), remove('b'));
    expect(rule(() => ssfStreamDecider.decide(remove('c'), full))).toBe('ssf.too_many_subjects');
  });

  it.each([
    ['no format', { sub: 'x' }],
    ['an unsupported format', { format: 'phone_number', phone_number: '+1' }],
    ['iss_sub without sub', { format: 'iss_sub', iss: 'https://op.example.com' }],
    ['an opaque id that is not a string', { format: 'opaque', id: 7 }],
    ['an empty email', { format: 'email', email: '' }],
  ])('refuses a subject with %s', (_what, subject) => {
    expect(
      rule(() =>
        ssfStreamDecider.decide(
          { type: 'RemoveSsfSubject', clientId: 'rs-1', subject, policy, meta },
          run(create()),
        ),
      ),
    ).toBe('ssf.invalid_subject');
  });

  it('matches an email subject whatever its case', () => {
    expect(subjectKey({ format: 'email', email: 'A@Example.COM' })).toBe(
      subjectKey({ format: 'email', email: 'a@example.com' }),
    );
  });
});
