import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type CallOptions,
  SSF_DELIVERY_POLL,
  SSF_DELIVERY_PUSH,
  SSF_EVENT_TYPES,
  type SsfStreamConfigView,
} from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import { dpopProof, proofKey, type ProofKey } from '../dpop/dpop.fixtures';
import { createAuthApi, ISSUER } from '../http/auth-api.fixtures';

/** What token-service's introspect RPC answers for an active access token of `clientId`. */
const active = (clientId: string, scope: string, extra: Record<string, unknown> = {}) => ({
  key: 'introspection:at:x',
  record: { active: true, token_type: 'access_token', client_id: clientId, scope, ...extra },
});
const inactive = { key: null, record: { active: false } };

const stream = (over: Partial<SsfStreamConfigView> = {}): SsfStreamConfigView => ({
  stream_id: 'st-1',
  iss: ISSUER,
  aud: 'rs-1',
  events_supported: [SSF_EVENT_TYPES.tokenRevoked, SSF_EVENT_TYPES.sessionRevoked],
  events_requested: [SSF_EVENT_TYPES.tokenRevoked],
  events_delivered: [SSF_EVENT_TYPES.tokenRevoked],
  delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'https://rs.example/events' },
  ...over,
});
const notFound = () =>
  new OAuthError('invalid_request', { status: 404, description: 'no such stream' });

const JSON_TYPE = { 'content-type': 'application/json' };

const until = async (what: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/**
 * The Shared Signals API at the edge (ADR 0036) over a fake transmitter:
 * who may call it, what it accepts, and what it forwards to SsfRpc.
 */
describe('Shared Signals API (auth-api)', () => {
  let app: NestFastifyApplication;
  const tokens = { introspect: jest.fn(), getClient: jest.fn() };
  const ssf = {
    createStream: jest.fn(),
    readStreams: jest.fn(),
    updateStream: jest.fn(),
    deleteStream: jest.fn(),
    readStatus: jest.fn(),
    updateStatus: jest.fn(),
    addSubject: jest.fn(),
    removeSubject: jest.fn(),
    requestVerification: jest.fn(),
    poll: jest.fn(),
    listDeadLetters: jest.fn(),
    retryDeadLetter: jest.fn(),
  };
  const registered = (scope: string) =>
    tokens.getClient.mockResolvedValue({ client: { client_id: 'rs-1', scope } });
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: 'Bearer at-1',
        ...(body === undefined ? {} : JSON_TYPE),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  beforeAll(async () => {
    app = await createAuthApi({
      token: tokens,
      ssf,
      env: { RATE_LIMIT_SSF: '1000', ADMIN_TOKEN: 'admin-token-0123456789abcdef-0123456789' },
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    tokens.introspect.mockResolvedValue(active('rs-1', 'ssf:manage'));
    registered('ssf:manage');
    ssf.createStream.mockResolvedValue(stream());
    ssf.readStreams.mockResolvedValue({ streams: [stream()] });
    ssf.updateStream.mockResolvedValue(stream());
    ssf.deleteStream.mockResolvedValue({});
    ssf.readStatus.mockResolvedValue({ stream_id: 'st-1', status: 'enabled' });
    ssf.updateStatus.mockResolvedValue({ stream_id: 'st-1', status: 'paused' });
    ssf.addSubject.mockResolvedValue({});
    ssf.removeSubject.mockResolvedValue({});
    ssf.requestVerification.mockResolvedValue({});
    ssf.poll.mockResolvedValue({ sets: {}, moreAvailable: false });
  });

  describe('GET /.well-known/ssf-configuration (SSF 1.0 7)', () => {
    it('names every endpoint, both delivery methods, our JWKS and the OAuth scheme', async () => {
      const res = await app.inject({ method: 'GET', url: '/.well-known/ssf-configuration' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        spec_version: '1_0',
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/jwks`,
        delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'],
        configuration_endpoint: `${ISSUER}/ssf/stream`,
        status_endpoint: `${ISSUER}/ssf/status`,
        add_subject_endpoint: `${ISSUER}/ssf/subjects/add`,
        remove_subject_endpoint: `${ISSUER}/ssf/subjects/remove`,
        verification_endpoint: `${ISSUER}/ssf/verify`,
        authorization_schemes: [
          { spec_urn: 'urn:ietf:rfc:6749', scopes_supported: ['ssf:manage', 'ssf:read'] },
          { spec_urn: 'urn:ietf:rfc:9449' },
        ],
        default_subjects: 'ALL',
      });
      expect(tokens.introspect).not.toHaveBeenCalled();
    });

    it('an issuer with a path: also at the path-inserted URL (SSF 1.0 7.2), nothing else', async () => {
      const tenant = await createAuthApi({ env: { ISSUER: 'https://idp.example.com/tenant-a' } });
      try {
        const inserted = await tenant.inject({
          method: 'GET',
          url: '/.well-known/ssf-configuration/tenant-a',
        });
        expect(inserted.statusCode).toBe(200);
        expect(inserted.json()).toMatchObject({
          issuer: 'https://idp.example.com/tenant-a',
          configuration_endpoint: 'https://idp.example.com/tenant-a/ssf/stream',
        });
        const appended = await tenant.inject({
          method: 'GET',
          url: '/.well-known/ssf-configuration',
        });
        expect(appended.json()).toEqual(inserted.json());
        for (const url of [
          '/.well-known/ssf-configuration/tenant-b',
          '/.well-known/ssf-configuration/tenant-a/x',
        ])
          expect((await tenant.inject({ method: 'GET', url })).statusCode).toBe(404);
      } finally {
        await tenant.close();
      }
      expect(
        (await app.inject({ method: 'GET', url: '/.well-known/ssf-configuration/x' })).statusCode,
      ).toBe(404);
    });
  });

  describe('who may call (RFC 6750 errors)', () => {
    it('no token: 401 with the Bearer and DPoP challenges, no RPC', async () => {
      const res = await app.inject({ method: 'GET', url: '/ssf/stream' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="idp", DPoP algs="/);
      const basic = await app.inject({
        method: 'GET',
        url: '/ssf/stream',
        headers: { authorization: 'Basic cnMtMTpzZWNyZXQ=' },
      });
      expect(basic.statusCode).toBe(401);
      expect(tokens.introspect).not.toHaveBeenCalled();
      expect(ssf.readStreams).not.toHaveBeenCalled();
    });

    it('an ID token, a refresh token, a revoked or expired token: 401 invalid_token', async () => {
      for (const answer of [
        inactive,
        active('rs-1', 'ssf:manage', { token_type: 'refresh_token' }),
        { key: null, record: { active: true, token_type: 'access_token', scope: 'ssf:manage' } },
      ]) {
        tokens.introspect.mockResolvedValueOnce(answer);
        const res = await call('GET', '/ssf/stream');
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: 'invalid_token' });
        expect(res.headers['www-authenticate']).toMatch(
          /^Bearer realm="idp", error="invalid_token"/,
        );
      }
      expect(ssf.readStreams).not.toHaveBeenCalled();
    });

    it('a token in the query is refused (RFC 6750 2.3), even with a valid header', async () => {
      const res = await call('GET', '/ssf/stream?access_token=at-1');
      expect(res.statusCode).toBe(400);
      expect(tokens.introspect).not.toHaveBeenCalled();
    });

    it('a token without an SSF scope: 403 insufficient_scope naming the scope', async () => {
      tokens.introspect.mockResolvedValue(active('rs-1', 'reports:read'));
      const write = await call('POST', '/ssf/verify', { stream_id: 'st-1' });
      expect(write.statusCode).toBe(403);
      expect(write.json()).toMatchObject({ error: 'insufficient_scope' });
      expect(write.headers['www-authenticate']).toContain('scope="ssf:manage"');
      const read = await call('GET', '/ssf/stream');
      expect(read.statusCode).toBe(403);
      expect(read.headers['www-authenticate']).toContain('scope="ssf:read ssf:manage"');
      expect(ssf.requestVerification).not.toHaveBeenCalled();
    });

    it('the scope must still be in the client registration: an operator taking it away wins at once', async () => {
      registered('reports:read');
      const res = await call('GET', '/ssf/stream');
      expect(res.statusCode).toBe(403);
      expect(tokens.getClient).toHaveBeenCalledWith({ clientId: 'rs-1' });
      expect(ssf.readStreams).not.toHaveBeenCalled();
    });

    it('ssf:read reads but never writes', async () => {
      tokens.introspect.mockResolvedValue(active('rs-1', 'ssf:read'));
      registered('ssf:read ssf:manage');
      expect((await call('GET', '/ssf/stream?stream_id=st-1')).statusCode).toBe(200);
      expect((await call('GET', '/ssf/status?stream_id=st-1')).statusCode).toBe(200);
      for (const [method, url, body] of [
        ['POST', '/ssf/stream', { delivery: { method: SSF_DELIVERY_POLL } }],
        ['PATCH', '/ssf/stream', { stream_id: 'st-1', description: 'x' }],
        ['PUT', '/ssf/stream', { stream_id: 'st-1' }],
        ['DELETE', '/ssf/stream?stream_id=st-1', undefined],
        ['POST', '/ssf/status', { stream_id: 'st-1', status: 'paused' }],
        [
          'POST',
          '/ssf/subjects/add',
          { stream_id: 'st-1', subject: { format: 'opaque', id: 'x' } },
        ],
        ['POST', '/ssf/verify', { stream_id: 'st-1' }],
        ['POST', '/ssf/poll/st-1', {}],
      ] as const) {
        const res = await call(method, url, body);
        expect([method, url, res.statusCode]).toEqual([method, url, 403]);
        expect(res.json().error_description).toMatch(/needs ssf:manage/);
      }
      expect(ssf.createStream).not.toHaveBeenCalled();
      expect(ssf.deleteStream).not.toHaveBeenCalled();
      expect(ssf.poll).not.toHaveBeenCalled();
    });

    it("the receiver is the token's client: a client id in the body changes nothing", async () => {
      tokens.introspect.mockResolvedValue(active('rs-2', 'ssf:manage'));
      ssf.readStatus.mockRejectedValue(notFound());
      const res = await call('GET', '/ssf/status?stream_id=st-of-rs-1');
      expect(res.statusCode).toBe(404);
      expect(ssf.readStatus).toHaveBeenCalledWith({ clientId: 'rs-2', streamId: 'st-of-rs-1' });
      const spoof = await call('POST', '/ssf/verify', { stream_id: 'st-1', aud: 'rs-1' });
      expect(spoof.statusCode).toBe(400);
      expect(ssf.requestVerification).not.toHaveBeenCalled();
    });

    describe('sender-constrained tokens', () => {
      let key: ProofKey;
      const HTU = `${ISSUER}/ssf/stream`;
      beforeAll(async () => {
        key = await proofKey();
      });

      it('a DPoP-bound token works with Authorization: DPoP and a proof of its key', async () => {
        tokens.introspect.mockResolvedValue(
          active('rs-1', 'ssf:manage', { cnf: { jkt: key.jkt } }),
        );
        const res = await call('GET', '/ssf/stream', undefined, {
          authorization: 'DPoP at-1',
          dpop: await dpopProof(key, 'GET', HTU, {}, 'at-1'),
        });
        expect(res.statusCode).toBe(200);
      });

      it('refuses it as a Bearer token, without a proof, or with another key', async () => {
        tokens.introspect.mockResolvedValue(
          active('rs-1', 'ssf:manage', { cnf: { jkt: key.jkt } }),
        );
        const bearer = await call('GET', '/ssf/stream');
        expect([bearer.statusCode, bearer.json().error]).toEqual([401, 'invalid_token']);
        const noProof = await call('GET', '/ssf/stream', undefined, { authorization: 'DPoP at-1' });
        expect(noProof.statusCode).toBe(401);
        expect(noProof.headers['www-authenticate']).toMatch(/^DPoP /);
        const other = await proofKey();
        const wrongKey = await call('GET', '/ssf/stream', undefined, {
          authorization: 'DPoP at-1',
          dpop: await dpopProof(other, 'GET', HTU, {}, 'at-1'),
        });
        expect([wrongKey.statusCode, wrongKey.json().error]).toEqual([401, 'invalid_token']);
        expect(wrongKey.headers['www-authenticate']).toMatch(/^DPoP /);
        const wrongUrl = await call('GET', '/ssf/stream', undefined, {
          authorization: 'DPoP at-1',
          dpop: await dpopProof(key, 'GET', `${ISSUER}/ssf/status`, {}, 'at-1'),
        });
        expect([wrongUrl.statusCode, wrongUrl.json().error]).toEqual([401, 'invalid_dpop_proof']);
        expect(ssf.readStreams).not.toHaveBeenCalled();
      });

      it('an unbound token sent with the DPoP scheme is refused', async () => {
        const res = await call('GET', '/ssf/stream', undefined, {
          authorization: 'DPoP at-1',
          dpop: await dpopProof(key, 'GET', HTU, {}, 'at-1'),
        });
        expect([res.statusCode, res.json().error]).toEqual([401, 'invalid_token']);
      });

      it('a certificate-bound token without its certificate is refused', async () => {
        tokens.introspect.mockResolvedValue(
          active('rs-1', 'ssf:manage', { cnf: { 'x5t#S256': 'thumbprint' } }),
        );
        const res = await call('GET', '/ssf/stream');
        expect([res.statusCode, res.json().error]).toEqual([401, 'invalid_token']);
      });
    });
  });

  describe('streams (SSF 1.0 8.1.1)', () => {
    const push = {
      events_requested: [SSF_EVENT_TYPES.tokenRevoked, 'https://example.com/unknown-event'],
      delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'https://rs.example/events' },
    };

    it('POST creates: 201, no-store, the receiver from the token, the actor named', async () => {
      const res = await call('POST', '/ssf/stream', push);
      expect(res.statusCode).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual(stream());
      expect(ssf.createStream).toHaveBeenCalledWith({
        clientId: 'rs-1',
        // Unknown event types go through: the transmitter delivers the supported ones (events_delivered).
        config: push,
        actor: { kind: 'client', client_id: 'rs-1' },
      });
    });

    it('refuses a body that is not a JSON object of known members, before the transmitter', async () => {
      const cases: [unknown, RegExp][] = [
        [[push], /JSON object/],
        ['"text"', /JSON object/],
        [{ ...push, events_requsted: [] }, /unknown member events_requsted/],
        [{ ...push, stream_id: 'mine' }, /unknown member stream_id/],
        [{ events_requested: 'all' }, /^events_requested: /],
        [{ events_requested: Array(21).fill('x') }, /^events_requested: /],
        [{ delivery: { method: 'urn:example:carrier-pigeon' } }, /^delivery/],
        [{ delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'not a url' } }, /^delivery/],
        [{ delivery: { method: SSF_DELIVERY_PUSH } }, /^delivery/],
        [{ description: 5 }, /^description: /],
        // Subject formats we can build for every event; email is not one (no event carries it).
        [{ format: 'email' }, /^format: /],
        [{ format: 'ISS_SUB' }, /^format: /],
        [{ format: ['iss_sub'] }, /^format: /],
        [{ format: null }, /^format: /],
      ];
      for (const [body, description] of cases) {
        const res = await call('POST', '/ssf/stream', body);
        expect([JSON.stringify(body), res.statusCode, res.json().error]).toEqual([
          JSON.stringify(body),
          400,
          'invalid_request',
        ]);
        expect(res.json().error_description).toMatch(description);
      }
      expect(ssf.createStream).not.toHaveBeenCalled();
    });

    it('takes the subject format a receiver asks for, on create and on update', async () => {
      await call('POST', '/ssf/stream', { ...push, format: 'iss_sub' });
      expect(ssf.createStream.mock.calls[0][0].config).toEqual({ ...push, format: 'iss_sub' });
      await call('PATCH', '/ssf/stream', { stream_id: 's-1', format: 'opaque' });
      expect(ssf.updateStream.mock.calls[0][0].config).toEqual({ format: 'opaque' });
    });

    it('ignores the transmitter-supplied members a receiver sends back', async () => {
      await call('POST', '/ssf/stream', { ...push, iss: 'https://evil.example', aud: 'rs-2' });
      expect(ssf.createStream.mock.calls[0][0].config).toEqual(push);
    });

    it('JSON only: another media type is 415, before authentication', async () => {
      for (const type of [
        'application/x-www-form-urlencoded',
        'text/plain',
        'application/jwt',
        'multipart/form-data; boundary=x',
      ]) {
        const res = await call('POST', '/ssf/stream', 'a=b', { 'content-type': type });
        expect([type, res.statusCode]).toEqual([type, 415]);
      }
      const latin1 = await call('POST', '/ssf/stream', push, {
        'content-type': 'application/json; charset=iso-8859-1',
      });
      expect(latin1.statusCode).toBe(400);
      const none = await app.inject({
        method: 'POST',
        url: '/ssf/stream',
        headers: { authorization: 'Bearer at-1' },
        payload: JSON.stringify(push),
      });
      expect(none.statusCode).toBe(415);
      expect(tokens.introspect).not.toHaveBeenCalled();
    });

    it('a body over 16 KiB is 413; a malformed one 400; a repeated member 400', async () => {
      const big = await call('POST', '/ssf/stream', { description: 'x'.repeat(17 * 1024) });
      expect(big.statusCode).toBe(413);
      const malformed = await call('POST', '/ssf/stream', '{"delivery": ');
      expect(malformed.statusCode).toBe(400);
      const empty = await call('POST', '/ssf/stream', '');
      expect(empty.statusCode).toBe(400);
      const twice = await call(
        'POST',
        '/ssf/stream',
        `{"delivery": {"method": "${SSF_DELIVERY_POLL}", "method": "${SSF_DELIVERY_PUSH}"}}`,
      );
      expect([twice.statusCode, twice.json().error_description]).toEqual([
        400,
        'a member name appears twice in one JSON object',
      ]);
      const proto = await call('POST', '/ssf/stream', '{"__proto__": {"x": 1}}');
      expect(proto.statusCode).toBe(400);
      expect(ssf.createStream).not.toHaveBeenCalled();
    });

    it('query parameters on a body request are refused (they belong in the body)', async () => {
      const res = await call('POST', '/ssf/stream?stream_id=st-1', push);
      expect(res.statusCode).toBe(400);
      expect(ssf.createStream).not.toHaveBeenCalled();
    });

    it("GET without stream_id: a JSON array of the receiver's streams; with one: that stream", async () => {
      ssf.readStreams.mockResolvedValueOnce({ streams: [stream(), stream({ stream_id: 'st-2' })] });
      const all = await call('GET', '/ssf/stream');
      expect(all.statusCode).toBe(200);
      expect((all.json() as { stream_id: string }[]).map((s) => s.stream_id)).toEqual([
        'st-1',
        'st-2',
      ]);
      expect(ssf.readStreams).toHaveBeenLastCalledWith({ clientId: 'rs-1' });
      const one = await call('GET', '/ssf/stream?stream_id=st-1');
      expect(one.json()).toEqual(stream());
      expect(ssf.readStreams).toHaveBeenLastCalledWith({ clientId: 'rs-1', streamId: 'st-1' });
    });

    it('an unknown or foreign stream is 404 (from the transmitter, or an empty answer)', async () => {
      ssf.readStreams.mockResolvedValueOnce({ streams: [] });
      expect((await call('GET', '/ssf/stream?stream_id=ghost')).statusCode).toBe(404);
      for (const method of ['updateStream', 'deleteStream', 'readStatus'] as const)
        ssf[method].mockRejectedValue(notFound());
      expect((await call('PATCH', '/ssf/stream', { stream_id: 'ghost' })).statusCode).toBe(404);
      expect((await call('DELETE', '/ssf/stream?stream_id=ghost')).statusCode).toBe(404);
      expect((await call('GET', '/ssf/status?stream_id=ghost')).statusCode).toBe(404);
    });

    it('stream_id in the query: once, non-empty, required where it names the stream', async () => {
      for (const url of [
        '/ssf/stream?stream_id=a&stream_id=b',
        '/ssf/stream?stream_id=',
        `/ssf/stream?stream_id=${'x'.repeat(201)}`,
        '/ssf/status',
        '/ssf/status?stream_id=a&stream_id=a',
      ]) {
        const res = await call('GET', url);
        expect([url, res.statusCode]).toEqual([url, 400]);
      }
      expect((await call('DELETE', '/ssf/stream')).statusCode).toBe(400);
      expect(ssf.readStreams).not.toHaveBeenCalled();
      expect(ssf.deleteStream).not.toHaveBeenCalled();
    });

    it("PATCH updates and PUT replaces, by the body's stream_id", async () => {
      const patch = await call('PATCH', '/ssf/stream', {
        stream_id: 'st-1',
        description: 'rs',
        events_delivered: ['ignored'],
      });
      expect(patch.statusCode).toBe(200);
      expect(ssf.updateStream).toHaveBeenLastCalledWith({
        clientId: 'rs-1',
        streamId: 'st-1',
        config: { description: 'rs' },
        replace: false,
        actor: { kind: 'client', client_id: 'rs-1' },
      });
      expect((await call('PUT', '/ssf/stream', { stream_id: 'st-1', ...push })).statusCode).toBe(
        200,
      );
      expect(ssf.updateStream.mock.calls[1][0]).toMatchObject({ config: push, replace: true });
      expect((await call('PATCH', '/ssf/stream', { description: 'no id' })).statusCode).toBe(400);
      expect((await call('PUT', '/ssf/stream', { stream_id: 7 })).statusCode).toBe(400);
      expect(ssf.updateStream).toHaveBeenCalledTimes(2);
    });

    it('DELETE: 204', async () => {
      const res = await call('DELETE', '/ssf/stream?stream_id=st-1');
      expect([res.statusCode, res.body]).toEqual([204, '']);
      expect(ssf.deleteStream).toHaveBeenCalledWith({
        clientId: 'rs-1',
        streamId: 'st-1',
        actor: { kind: 'client', client_id: 'rs-1' },
      });
    });

    it("the transmitter's refusals pass through as they are (push URL, stream limit)", async () => {
      ssf.createStream.mockRejectedValueOnce(
        new OAuthError('invalid_request', {
          status: 400,
          description: 'delivery.endpoint_url must be an https URL',
        }),
      );
      const http = await call('POST', '/ssf/stream', {
        delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'http://10.0.0.1/events' },
      });
      expect([http.statusCode, http.json().error_description]).toEqual([
        400,
        'delivery.endpoint_url must be an https URL',
      ]);
      ssf.createStream.mockRejectedValueOnce(
        new OAuthError('invalid_request', { status: 409, description: 'too many streams' }),
      );
      expect((await call('POST', '/ssf/stream', push)).statusCode).toBe(409);
    });
  });

  describe('status, subjects, verification (SSF 1.0 8.1.2-8.1.4)', () => {
    it('reads and updates the status', async () => {
      const read = await call('GET', '/ssf/status?stream_id=st-1');
      expect([read.statusCode, read.json()]).toEqual([
        200,
        { stream_id: 'st-1', status: 'enabled' },
      ]);
      const set = await call('POST', '/ssf/status', {
        stream_id: 'st-1',
        status: 'paused',
        reason: 'maintenance',
      });
      expect(set.statusCode).toBe(200);
      expect(ssf.updateStatus).toHaveBeenCalledWith({
        clientId: 'rs-1',
        streamId: 'st-1',
        status: 'paused',
        reason: 'maintenance',
        actor: { kind: 'client', client_id: 'rs-1' },
      });
      for (const body of [
        { stream_id: 'st-1', status: 'stopped' },
        { stream_id: 'st-1' },
        { status: 'enabled' },
        { stream_id: 'st-1', status: 'enabled', reason: 'x'.repeat(501) },
      ]) {
        const res = await call('POST', '/ssf/status', body);
        expect([JSON.stringify(body), res.statusCode]).toEqual([JSON.stringify(body), 400]);
      }
      expect(ssf.updateStatus).toHaveBeenCalledTimes(1);
    });

    it('adds (200, empty) and removes (204) subjects; a subject without a format is 400', async () => {
      const subject = { format: 'iss_sub', iss: ISSUER, sub: 'user-1' };
      const added = await call('POST', '/ssf/subjects/add', {
        stream_id: 'st-1',
        subject,
        verified: true,
      });
      expect([added.statusCode, added.body]).toEqual([200, '']);
      expect(ssf.addSubject).toHaveBeenCalledWith({
        clientId: 'rs-1',
        streamId: 'st-1',
        subject,
        verified: true,
      });
      const removed = await call('POST', '/ssf/subjects/remove', { stream_id: 'st-1', subject });
      expect(removed.statusCode).toBe(204);
      for (const bad of [
        { stream_id: 'st-1', subject: { sub: 'user-1' } },
        { stream_id: 'st-1', subject: 'user-1' },
        { stream_id: 'st-1', subject: { format: 5 } },
        { stream_id: 'st-1' },
      ]) {
        const res = await call('POST', '/ssf/subjects/add', bad);
        expect([JSON.stringify(bad), res.statusCode]).toEqual([JSON.stringify(bad), 400]);
      }
      expect(ssf.addSubject).toHaveBeenCalledTimes(1);
    });

    it('verification: 204, the state passed to the transmitter', async () => {
      const res = await call('POST', '/ssf/verify', { stream_id: 'st-1', state: 'abc' });
      expect(res.statusCode).toBe(204);
      expect(ssf.requestVerification).toHaveBeenCalledWith({
        clientId: 'rs-1',
        streamId: 'st-1',
        state: 'abc',
      });
      expect((await call('POST', '/ssf/verify', { stream_id: 'st-1', state: 7 })).statusCode).toBe(
        400,
      );
    });

    it("verification sooner than min_verification_interval: the transmitter's 429 and Retry-After", async () => {
      ssf.requestVerification.mockRejectedValue(
        new OAuthError('temporarily_unavailable', {
          status: 429,
          description: 'one verification per 60 seconds (min_verification_interval)',
          headers: { 'Retry-After': '42' },
        }),
      );
      const res = await call('POST', '/ssf/verify', { stream_id: 'st-1' });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('42');
      expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    });
  });

  describe('POST /ssf/poll/:streamId (RFC 8936)', () => {
    it("acknowledges and returns SETs for the receiver's stream", async () => {
      ssf.poll.mockResolvedValue({ sets: { 'jti-2': 'a.b.c' }, moreAvailable: true });
      const res = await call('POST', '/ssf/poll/st-1', {
        ack: ['jti-1', 'never-sent'],
        setErrs: { 'jti-0': { err: 'invalid_key', description: 'unknown kid' } },
        maxEvents: 10,
        returnImmediately: true,
      });
      expect([res.statusCode, res.json()]).toEqual([
        200,
        { sets: { 'jti-2': 'a.b.c' }, moreAvailable: true },
      ]);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(ssf.poll).toHaveBeenCalledWith({
        clientId: 'rs-1',
        streamId: 'st-1',
        ack: ['jti-1', 'never-sent'],
        setErrs: { 'jti-0': { err: 'invalid_key', description: 'unknown kid' } },
        maxEvents: 10,
        returnImmediately: true,
      });
    });

    it('an empty object polls with the defaults; bad members are 400', async () => {
      expect((await call('POST', '/ssf/poll/st-1', {})).statusCode).toBe(200);
      expect(ssf.poll).toHaveBeenCalledWith({
        clientId: 'rs-1',
        streamId: 'st-1',
        ack: [],
        setErrs: {},
        returnImmediately: true,
      });
      for (const body of [
        { ack: 'jti-1' },
        { ack: [1] },
        { maxEvents: -1 },
        { maxEvents: 1.5 },
        { setErrs: { j: { description: 'no err' } } },
        { returnImmediately: 'yes' },
        { acks: [] },
      ]) {
        const res = await call('POST', '/ssf/poll/st-1', body);
        expect([JSON.stringify(body), res.statusCode]).toEqual([JSON.stringify(body), 400]);
      }
      expect(ssf.poll).toHaveBeenCalledTimes(1);
    });

    it('a long poll (returnImmediately false): held up to SSF_POLL_WAIT_MS under a longer deadline; a receiver that hangs up cancels the call', async () => {
      let options: CallOptions | undefined;
      ssf.poll.mockImplementation(
        (_request: unknown, given: CallOptions) =>
          new Promise((_resolve, reject) => {
            options = given;
            given.signal?.addEventListener('abort', () =>
              reject(new OAuthError('temporarily_unavailable', { status: 503 })),
            );
          }),
      );
      const held = await createAuthApi({
        token: tokens,
        ssf,
        env: { RATE_LIMIT_SSF: '1000', SSF_POLL_WAIT_MS: '2000' },
      });
      try {
        await held.listen(0, '127.0.0.1');
        const { port } = held.getHttpServer().address() as { port: number };
        const receiver = new AbortController();
        const answer = fetch(`http://127.0.0.1:${port}/ssf/poll/st-1`, {
          method: 'POST',
          headers: { authorization: 'Bearer at-1', ...JSON_TYPE },
          body: JSON.stringify({ returnImmediately: false, maxEvents: 5 }),
          signal: receiver.signal,
        }).catch(() => 'hung up');
        await until(() => options !== undefined);
        expect(ssf.poll).toHaveBeenCalledWith(
          {
            clientId: 'rs-1',
            streamId: 'st-1',
            ack: [],
            setErrs: {},
            maxEvents: 5,
            returnImmediately: false,
            waitMs: 2000,
          },
          expect.objectContaining({ timeoutMs: 7000 }),
        );
        expect(options!.signal!.aborted).toBe(false);
        receiver.abort();
        expect(await answer).toBe('hung up');
        await until(() => options!.signal!.aborted);
      } finally {
        await held.close();
      }
    });

    it('returnImmediately true or absent: no wait is asked for', async () => {
      await call('POST', '/ssf/poll/st-1', { returnImmediately: true });
      await call('POST', '/ssf/poll/st-1', {});
      for (const [request, options] of ssf.poll.mock.calls as unknown[][]) {
        expect(request).not.toHaveProperty('waitMs');
        expect(options).toBeUndefined();
      }
    });

    it("another receiver's stream is 404", async () => {
      ssf.poll.mockRejectedValue(notFound());
      expect((await call('POST', '/ssf/poll/st-of-another', {})).statusCode).toBe(404);
    });
  });

  describe('rate limits (ADR 0016)', () => {
    it('per receiver, whatever the address: 429 with Retry-After past RATE_LIMIT_SSF, no challenge (it is no auth error)', async () => {
      const key = await proofKey();
      tokens.introspect.mockResolvedValue(active('rs-1', 'ssf:manage', { cnf: { jkt: key.jkt } }));
      const limited = await createAuthApi({
        token: tokens,
        ssf,
        env: { RATE_LIMIT_SSF: '1', RATE_LIMIT_BURST_SECONDS: '2' },
      });
      try {
        const statuses: number[] = [];
        let last;
        for (let i = 0; i < 3; i++) {
          last = await limited.inject({
            method: 'GET',
            url: '/ssf/stream',
            // A new address each time: the receiver's own limit is what refuses the third.
            remoteAddress: `10.0.0.${i + 1}`,
            headers: {
              authorization: 'DPoP at-1',
              dpop: await dpopProof(key, 'GET', `${ISSUER}/ssf/stream`, {}, 'at-1'),
            },
          });
          statuses.push(last.statusCode);
        }
        expect(statuses).toEqual([200, 200, 429]);
        expect(last?.headers['retry-after']).toBeDefined();
        expect(last?.headers['www-authenticate']).toBeUndefined();
      } finally {
        await limited.close();
      }
    });
  });

  describe('admin: SET dead letters', () => {
    const admin = { authorization: 'Bearer admin-token-0123456789abcdef-0123456789' };
    const delivery = {
      streamId: 'st-1',
      jti: 'j-1',
      clientId: 'rs-1',
      eventType: SSF_EVENT_TYPES.tokenRevoked,
      status: 'dead_lettered' as const,
      attempts: 12,
      nextAttemptAt: 0,
      lastError: 'HTTP 500',
      createdAt: 1,
      updatedAt: 2,
    };

    it('lists a page and pages on by (stream_id, jti)', async () => {
      ssf.listDeadLetters.mockResolvedValue({ deliveries: [delivery] });
      const first = await app.inject({
        method: 'GET',
        url: '/admin/ssf/dead-letters',
        headers: admin,
      });
      expect([first.statusCode, first.json()]).toEqual([200, { deliveries: [delivery] }]);
      expect(ssf.listDeadLetters).toHaveBeenLastCalledWith({ limit: 100 });
      await app.inject({
        method: 'GET',
        url: '/admin/ssf/dead-letters?limit=5&after_stream_id=st-1&after_jti=j-1',
        headers: admin,
      });
      expect(ssf.listDeadLetters).toHaveBeenLastCalledWith({
        limit: 5,
        after: { streamId: 'st-1', jti: 'j-1' },
      });
      for (const url of [
        '/admin/ssf/dead-letters?after_stream_id=st-1',
        '/admin/ssf/dead-letters?limit=501',
      ])
        expect((await app.inject({ method: 'GET', url, headers: admin })).statusCode).toBe(400);
    });

    it('retries one, naming the caller; needs an admin credential', async () => {
      ssf.retryDeadLetter.mockResolvedValue({ delivery: { ...delivery, status: 'pending' } });
      const res = await app.inject({
        method: 'POST',
        url: '/admin/ssf/dead-letters/st-1/j-1/retry',
        headers: admin,
      });
      expect(res.statusCode).toBe(200);
      expect(ssf.retryDeadLetter).toHaveBeenCalledWith({
        streamId: 'st-1',
        jti: 'j-1',
        actor: { kind: 'admin_token' },
      });
      // A receiver's ssf:manage token is no admin credential.
      const receiver = await app.inject({
        method: 'GET',
        url: '/admin/ssf/dead-letters',
        headers: { authorization: 'Bearer at-1' },
      });
      expect(receiver.statusCode).toBe(401);
    });
  });
});
