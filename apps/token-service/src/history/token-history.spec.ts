import { decodeJwt } from 'jose';
import type { TokenHistory } from '@idp/contracts';
import { generateSigningKey, importTokenSigningKey, signAccessTokenJwt } from '@idp/crypto';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { AdminRpcHandlers } from '../admin/admin.rpc-handlers';
import { ClientRegistry } from '../clients/client-registry.service';
import { ResourceRegistry } from '../resources/resource-registry.service';
import { RevocationService } from '../revocation/revocation.service';
import {
  basic,
  CLIENT_SECRET,
  codeFlowTokens,
  refreshTokens,
  webClient,
} from '../revocation/revocation.fixtures';
import { UserDirectory } from '../users/user-directory.service';

const ISSUER = 'http://localhost:3000';
const API = 'https://api.example.test';
const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

/**
 * AdminRpc `tokenHistory` over a real SQLite event store (ADR 0037): tokens
 * of every format followed through issue, refresh and revocation, asked
 * about at instants before, between and after their events.
 */
describe('AdminRpc tokenHistory', () => {
  let h: AdminHarness;
  let rpc: AdminRpcHandlers;
  const history = (r: { token?: string; grantId?: string; at?: string }) =>
    rpc.tokenHistory(r) as Promise<TokenHistory>;
  const revoke = (token: string, clientId: string) =>
    h.app.get(RevocationService).revoke({
      token,
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/revoke',
    });

  beforeAll(async () => {
    h = await startAdminHarness({ ISSUER });
    rpc = h.app.get(AdminRpcHandlers);
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
    const enc = await generateSigningKey('RS256');
    await h.app
      .get(ResourceRegistry)
      .define(
        { resource: API, jwks: { keys: [{ ...enc.publicJwk, alg: 'RSA-OAEP-256', use: 'enc' }] } },
        'seed',
      );
    const registry = h.app.get(ClientRegistry);
    const web = (client_id: string, over: Record<string, unknown> = {}) =>
      registry.register(webClient(client_id, over) as never, 'admin', CLIENT_SECRET);
    await web('web');
    await web('jwt-client', { access_token_format: 'jwt' });
    await web('jwe-client', { access_token_format: 'jwe', resources: [API] });
  }, 30_000);
  afterAll(() => h.close());

  it('follows an opaque access token and a refresh token through issue, refresh and revoke', async () => {
    const first = await codeFlowTokens(h.app, 'web');
    const second = await refreshTokens(h.app, 'web', first.refresh_token!);
    await revoke(second.refresh_token!, 'web');

    const now = await history({ token: first.access_token });
    expect(now.subject).toBe('access_token');
    expect(now.events.map((e) => e.type)).toEqual([
      'grant.authorization_code_issued',
      'grant.authorization_code_redeemed',
      'grant.access_token_issued',
      'grant.refresh_token_issued',
      'grant.id_token_issued',
      'grant.refresh_token_issued',
      'grant.access_token_issued',
      'grant.id_token_issued',
      'grant.revoked',
    ]);
    const issued = now.events.find((e) => e.type === 'grant.access_token_issued')!;
    const rotated = now.events.filter((e) => e.type === 'grant.refresh_token_issued')[1]!;
    const revoked = now.events.find((e) => e.type === 'grant.revoked')!;
    expect(revoked.reason).toBe('client_request');

    const at = (token: string, t: number) => history({ token, at: iso(t) });
    // The first access token: before, at, between, after.
    expect((await at(first.access_token, ms(issued.occurredAt) - 1)).state).toMatchObject({
      active: false,
      reason: { kind: 'not_yet_issued', issuedAt: issued.occurredAt },
    });
    expect((await at(first.access_token, ms(issued.occurredAt))).state?.active).toBe(true);
    expect((await at(first.access_token, ms(revoked.occurredAt) - 1)).state?.active).toBe(true);
    expect((await at(first.access_token, ms(revoked.occurredAt))).state).toMatchObject({
      active: false,
      token: { kind: 'access_token', format: 'opaque' },
      reason: {
        kind: 'grant_revoked',
        why: 'client_request',
        eventId: revoked.eventId,
        correlationId: revoked.correlationId,
      },
    });
    // The first refresh token: rotated at the refresh.
    expect((await at(first.refresh_token!, ms(rotated.occurredAt) - 1)).state).toMatchObject({
      active: true,
      token: { kind: 'refresh_token' },
    });
    expect((await at(first.refresh_token!, ms(rotated.occurredAt))).state?.reason).toEqual({
      kind: 'rotated',
      at: rotated.occurredAt,
      eventId: rotated.eventId,
      correlationId: rotated.correlationId,
    });
    // The second refresh token: not yet issued, then active, then its grant revoked.
    expect((await at(second.refresh_token!, ms(rotated.occurredAt) - 1)).state?.reason?.kind).toBe(
      'not_yet_issued',
    );
    expect((await at(second.refresh_token!, ms(revoked.occurredAt) - 1)).state?.active).toBe(true);
    expect((await at(second.refresh_token!, ms(revoked.occurredAt))).state?.reason?.kind).toBe(
      'grant_revoked',
    );
    // Expired at its exp, asked about later than that (and had it not been revoked first).
    const exp = ms(now.state!.token!.expiresAt);
    expect((await at(second.access_token, exp + 1)).state?.reason?.kind).toBe('grant_revoked');
  });

  it('never shows a token or a keyed hash of one', async () => {
    const t = await codeFlowTokens(h.app, 'web');
    const answer = JSON.stringify(await history({ token: t.refresh_token! }));
    for (const secret of [t.access_token, t.refresh_token!, t.id_token!])
      expect(answer).not.toContain(secret);
    expect(answer).not.toMatch(
      /"(tokenHash|codeHash|refreshTokenHash|replaces)":"(?!\[redacted\])/,
    );
  });

  it('answers a JWT access token by its jti: revoked alone, expired later', async () => {
    const t = await codeFlowTokens(h.app, 'jwt-client');
    const { jti, exp } = decodeJwt(t.access_token);
    await revoke(t.access_token, 'jwt-client');
    const answer = await history({ token: t.access_token });
    const revokedAt = answer.events.find((e) => e.type === 'grant.access_token_revoked')!;
    expect(answer.state).toMatchObject({
      active: false,
      token: { kind: 'access_token', format: 'jwt', jti },
      reason: { kind: 'revoked', reason: 'client_request', at: revokedAt.occurredAt },
    });
    // Its refresh token lives on: only the access token was revoked.
    expect((await history({ token: t.refresh_token! })).state?.active).toBe(true);
    // A JWT not revoked, asked about after its exp: expired.
    const other = await codeFlowTokens(h.app, 'jwt-client');
    const otherExp = decodeJwt(other.access_token).exp!;
    expect(
      (await history({ token: other.access_token, at: iso(otherExp * 1000) })).state,
    ).toMatchObject({
      active: false,
      reason: { kind: 'expired', at: iso(otherExp * 1000) },
    });
    expect(exp).toBeGreaterThan(0);
  });

  it('answers a JWE access token by its userinfo handle', async () => {
    const t = await codeFlowTokens(h.app, 'jwe-client');
    expect(t.access_token.split('.')).toHaveLength(5);
    const answer = await history({ token: t.access_token });
    expect(answer.state).toMatchObject({
      active: true,
      token: { kind: 'access_token', format: 'jwe', clientId: 'jwe-client' },
    });
  });

  it('answers a grant id with the grant and no token state', async () => {
    const t = await codeFlowTokens(h.app, 'web');
    const { grantId } = await history({ token: t.access_token });
    const answer = await history({ grantId });
    expect(answer).toMatchObject({
      grantId,
      subject: 'grant',
      grant: { clientId: 'web', sub: 'u1' },
    });
    expect(answer).not.toHaveProperty('state');
  });

  it('refuses what is not ours, and says what an ID token is', async () => {
    const t = await codeFlowTokens(h.app, 'jwt-client');
    const { grantId } = await history({ token: t.access_token });
    expect(await oauthErrorOf(history({ token: t.id_token! }))).toMatchObject({
      error: 'unsupported_token_type',
      status: 400,
      description: expect.stringMatching(/ID token is not an access or refresh token/),
    });
    // A JWT naming a real grant's jti, signed by a key that is not ours.
    const foreign = await generateSigningKey('ES256');
    const forged = await signAccessTokenJwt({
      issuer: ISSUER,
      sub: 'u1',
      clientId: 'jwt-client',
      aud: 'jwt-client',
      lifetimeSeconds: 300,
      now: Math.floor(Date.now() / 1000),
      key: await importTokenSigningKey(foreign.privateJwk),
      jti: `${grantId}.forged`,
    });
    const notOurs = { error: 'invalid_request', status: 404 };
    for (const token of [
      forged.token,
      'garbage',
      'at_not-a-real-token',
      `${t.access_token.slice(0, -4)}AAAA`,
      'eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.',
    ]) {
      const err = await oauthErrorOf(history({ token }));
      expect(err).toMatchObject(notOurs);
      expect(String(err['description'])).not.toContain(token);
    }
    expect(await oauthErrorOf(history({ grantId: 'no-such-grant' }))).toMatchObject(notOurs);
  });
});
