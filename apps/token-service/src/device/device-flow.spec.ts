import type { INestApplicationContext } from '@nestjs/common';
import type { TypeOrmEventStore } from '@idp/eventstore';
import { OAuthError } from '@idp/oauth-errors';
import type { ClientAuthentication } from '@idp/contracts';
import { ClientRegistry } from '../clients/client-registry.service';
import { TokenEndpoint } from '../grants/token-endpoint.service';
import { UserDirectory } from '../users/user-directory.service';
import { DeviceAuthorizationService } from './device-authorization.service';
import { startTokenServiceHarness, type TokenServiceHarness } from '../token-service.fixtures';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const ENDPOINT = 'http://localhost:3000/device_authorization';

/**
 * The device flow inside token-service over a real SQLite event store:
 * the request's client and scope checks, the user's answer, and every
 * answer of a poll (RFC 8628 3.5) in the order a device meets them.
 */
describe('device authorization grant (token-service)', () => {
  let h: TokenServiceHarness;
  let app: INestApplicationContext;
  let store: TypeOrmEventStore;
  let devices: DeviceAuthorizationService;
  let endpoint: TokenEndpoint;
  const secret = 'svc-secret-0123456789abcdef0123';
  const tv: ClientAuthentication = { method: 'none', clientId: 'tv' };
  const other: ClientAuthentication = { method: 'none', clientId: 'radio' };
  const request = (auth: ClientAuthentication, scope: string[], scopeRequested = true) =>
    devices.request({ clientAuth: auth, endpoint: ENDPOINT, scope, scopeRequested });
  const poll = (deviceCode: string, auth: ClientAuthentication = tv, jkt?: string) =>
    endpoint.handle({
      params: { grant_type: DEVICE_GRANT, device_code: deviceCode },
      clientAuth: auth,
      endpoint: 'http://localhost:3000/token',
      ...(jkt === undefined ? {} : { cnf: { jkt } }),
    });
  const answer = (userCode: string, approve: boolean) =>
    devices.decide({ userCode, approve, sub: 'alice-1', sid: 'sid-1', authTime: 1, amr: ['pwd'] });
  const oauthError = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof OAuthError) return { error: e.error, status: e.status };
      throw e;
    }
    throw new Error('expected an OAuth error');
  };
  const eventsOf = async (type: string) =>
    (await store.readAll('0', 10_000)).filter((e) => e.type === type);

  beforeAll(async () => {
    h = await startTokenServiceHarness();
    ({ app, store } = h);
    devices = app.get(DeviceAuthorizationService);
    endpoint = app.get(TokenEndpoint);
    const clients = app.get(ClientRegistry);
    const publicClient = (clientId: string, name: string) =>
      clients.register(
        {
          client_id: clientId,
          client_name: name,
          grant_types: [DEVICE_GRANT, 'refresh_token'],
          response_types: [],
          redirect_uris: [],
          scope: 'openid profile offline_access',
          token_endpoint_auth_method: 'none',
        },
        'admin',
      );
    await publicClient('tv', 'Living-room TV');
    await publicClient('radio', 'Kitchen radio');
    await clients.register(
      {
        client_id: 'svc',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      'admin',
      secret,
    );
    await app.get(UserDirectory).create({
      sub: 'alice-1',
      username: 'alice',
      password: 'correct horse battery',
      claims: { name: 'Alice' },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers a public client with a device code, a XXXX-XXXX user code, its lifetime and interval', async () => {
    const res = await request(tv, ['openid', 'profile']);
    expect(res).toMatchObject({ expires_in: 600, interval: 5, scope: 'openid profile' });
    expect(res.device_code).toMatch(/^dc_/);
    expect(res.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    // Neither code is in the log in clear.
    const [event] = await eventsOf('device.authorization_requested');
    const logged = JSON.stringify(event);
    expect(logged).not.toContain(res.device_code);
    expect(logged).not.toContain(res.user_code.replace('-', ''));
  });

  it('refuses a client without the grant type, a wrong secret, and a scope outside the registration', async () => {
    expect(
      await oauthError(
        request({ method: 'client_secret_basic', clientId: 'svc', secret }, ['openid']),
      ),
    ).toEqual({ error: 'unauthorized_client', status: 400 });
    expect(
      await oauthError(
        request({ method: 'client_secret_basic', clientId: 'svc', secret: 'wrong-secret' }, []),
      ),
    ).toEqual({ error: 'invalid_client', status: 401 });
    expect(await oauthError(request({ method: 'none', clientId: 'nobody' }, ['openid']))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    expect(await oauthError(request(tv, ['email']))).toEqual({
      error: 'invalid_scope',
      status: 400,
    });
    expect(await oauthError(request(tv, [], false))).toEqual({
      error: 'invalid_scope',
      status: 400,
    });
  });

  it('is pending, then slow_down 5 s longer each time the device polls too fast', async () => {
    const { device_code } = await request(tv, ['openid']);
    expect(await oauthError(poll(device_code))).toEqual({
      error: 'authorization_pending',
      status: 400,
    });
    expect(await oauthError(poll(device_code))).toEqual({ error: 'slow_down', status: 400 });
    expect(await oauthError(poll(device_code))).toEqual({ error: 'slow_down', status: 400 });
    const slowed = await eventsOf('device.polled_too_fast');
    expect(slowed.map((e) => (e.data as { interval: number }).interval)).toEqual([10, 15]);
  });

  it('shows the pending request by its code typed any way, and issues tokens once after approval', async () => {
    const { device_code, user_code } = await request(tv, ['openid', 'profile', 'offline_access']);
    const typed = user_code.toLowerCase().replace('-', ' ');
    expect(await devices.pending(typed)).toEqual({
      clientId: 'tv',
      clientName: 'Living-room TV',
      scope: 'openid profile offline_access',
    });
    await answer(typed, true);
    expect(await devices.pending(user_code)).toBeUndefined();
    // Another client's poll reads as an unknown code and spends nothing.
    expect(await oauthError(poll(device_code, other))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
    const tokens = await poll(device_code);
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'openid profile offline_access' });
    expect(tokens.access_token).toBeDefined();
    expect(tokens.id_token).toBeDefined();
    expect(tokens.refresh_token).toMatch(/^rt_/);
    // Joined to the session that approved: logout finds the grant by its sid.
    const issued = await eventsOf('grant.access_token_issued');
    expect(issued.at(-1)?.data).toMatchObject({ sub: 'alice-1', sid: 'sid-1', clientId: 'tv' });
    // Single use.
    expect(await oauthError(poll(device_code))).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await oauthError(answer(user_code, false))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
  });

  it('binds the tokens to the DPoP key of the redeeming poll, as every other grant does (RFC 9449 5)', async () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const { device_code, user_code } = await request(tv, ['openid', 'offline_access']);
    await answer(user_code, true);
    const tokens = await poll(device_code, tv, jkt);
    expect(tokens.token_type).toBe('DPoP');
    const issued = await eventsOf('grant.access_token_issued');
    expect(issued.at(-1)?.data).toMatchObject({ cnf: { jkt } });
    // A public client's refresh token is bound to the key too.
    const rotated = await endpoint
      .handle({
        params: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
        clientAuth: tv,
        endpoint: 'http://localhost:3000/token',
        cnf: { jkt: 'another-key-thumbprint-0000000000000000000000' },
      })
      .then(
        () => 'issued',
        (e: unknown) => (e instanceof OAuthError ? e.error : 'thrown'),
      );
    expect(rotated).toBe('invalid_grant');
  });

  it('is access_denied after the user denied', async () => {
    const { device_code, user_code } = await request(tv, ['openid']);
    await answer(user_code, false);
    expect(await oauthError(poll(device_code))).toEqual({ error: 'access_denied', status: 400 });
  });

  it('reads a forged, garbled or unknown code as invalid_grant, and an unknown user code likewise', async () => {
    for (const code of ['dc_x.y', 'at_nothing', 'garbage'])
      expect(await oauthError(poll(code))).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await oauthError(answer('BCDF-GHJK', true))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
    expect(await devices.pending('not a code')).toBeUndefined();
  });
});
