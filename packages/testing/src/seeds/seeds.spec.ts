import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  backchannelSeed,
  rpSecret,
  serviceClient,
  sessionJoinedBy,
  writeSeedFile,
  type SessionJoinRpcs,
} from '.';

const user = { sub: 'u1', username: 'u1', password: 'a-password-long-enough' };
const rps = [
  { clientId: 'rp-a', uri: 'http://127.0.0.1:1/bcl/rp-a' },
  { clientId: 'rp-b', uri: 'http://127.0.0.1:1/bcl/rp-b' },
];

describe('back-channel RP seeds', () => {
  it('gives every RP its logout URI, sid required, and the one user', () => {
    const seed = backchannelSeed(rps, { redirectUri: 'https://rp.test/cb', user });
    expect(seed.users).toEqual([user]);
    expect(seed.clients[1]).toEqual({
      client_id: 'rp-b',
      client_secret: rpSecret('rp-b'),
      grant_types: ['implicit'],
      response_types: ['id_token'],
      redirect_uris: ['https://rp.test/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      skip_consent: true,
      scope: 'openid',
      backchannel_logout_uri: 'http://127.0.0.1:1/bcl/rp-b',
      backchannel_logout_session_required: true,
    });
    expect(rpSecret('rp-b').length).toBeGreaterThanOrEqual(32);
  });

  it('sets response types and the ID-token alg when asked', () => {
    const [client] = backchannelSeed(rps, {
      redirectUri: 'https://rp.test/cb',
      user,
      responseTypes: ['id_token', 'id_token token'],
      idTokenAlg: 'ES256',
    }).clients;
    expect(client).toMatchObject({
      response_types: ['id_token', 'id_token token'],
      id_token_signed_response_alg: 'ES256',
    });
  });

  it('writes the seed to a file of its own', () => {
    const seed = backchannelSeed(rps, { redirectUri: 'https://rp.test/cb', user });
    const file = writeSeedFile(seed, 'idp-seed-spec-');
    try {
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(seed);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });
});

describe('service clients', () => {
  it('are client_credentials clients with a secret, the scope and the token format', () => {
    const base = {
      clientId: 'svc',
      secret: 'svc-secret',
      format: 'jwt',
      scope: 'api:read',
    } as const;
    expect(serviceClient(base)).toEqual({
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api:read',
      access_token_format: 'jwt',
    });
    expect(serviceClient({ ...base, accessTokenAlg: 'RS256' })).toMatchObject({
      access_token_signed_response_alg: 'RS256',
    });
  });
});

describe('sessionJoinedBy', () => {
  const idToken = (claims: object) =>
    `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  /** RPCs where session-service hears of a join `lag` polls after it happened. */
  function fakeRpcs(opts: { lag?: number; sid?: (clientId: string) => string } = {}) {
    const joined: string[] = [];
    const inFlight = { now: 0, max: 0 };
    let polls = 0;
    const rpc: SessionJoinRpcs = {
      session: {
        startSession: async () => ({ sid: 's1', authTime: 1 }),
        getSession: async () => {
          polls++;
          return { session: { clientIds: polls > (opts.lag ?? 0) ? [...joined] : [] } };
        },
      },
      tokens: {
        authorize: async (req) => {
          inFlight.max = Math.max(inFlight.max, ++inFlight.now);
          await new Promise((r) => setImmediate(r));
          inFlight.now--;
          joined.push(req.clientId);
          return { id_token: idToken({ sid: opts.sid?.(req.clientId) ?? req.sid }) };
        },
      },
    };
    return { rpc, joined, inFlight, polls: () => polls };
  }
  const ids = Array.from({ length: 7 }, (_, i) => `c${i}`);
  const options = { sub: 'u1', redirectUri: 'https://rp.test/cb', intervalMs: 1 };

  it('joins every client, a batch at a time, and waits until session-service knows', async () => {
    const fake = fakeRpcs({ lag: 3 });
    await expect(sessionJoinedBy(fake.rpc, ids, { ...options, batch: 3 })).resolves.toBe('s1');
    expect([...fake.joined].sort()).toEqual(ids);
    expect(fake.inFlight.max).toBe(3);
    expect(fake.polls()).toBe(4);
  });

  it('fails when an ID token is not in the session', async () => {
    const fake = fakeRpcs({ sid: (c) => (c === 'c4' ? 'other' : 's1') });
    await expect(sessionJoinedBy(fake.rpc, ids, options)).rejects.toThrow(
      "sid not in c4's ID token",
    );
  });

  it('gives up after timeoutMs', async () => {
    const fake = fakeRpcs({ lag: Number.MAX_SAFE_INTEGER });
    await expect(sessionJoinedBy(fake.rpc, ids, { ...options, timeoutMs: 20 })).rejects.toThrow(
      '7 clients joined the session: 0 after 20 ms',
    );
  });
});
