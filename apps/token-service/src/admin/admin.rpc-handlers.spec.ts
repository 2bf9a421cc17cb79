import { RpcHandlerRegistry, RpcHandlersModule } from '@idp/nest-kit';
import { AdminRpc, TokenRpc } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import {
  createRpcServer,
  grpcClient,
  silentRpcLogger,
  type ClosableRpcClient,
  type RpcServer,
} from '@idp/rpc';
import { TokenRpcModule } from '../rpc/token-rpc.module';
import { startAdminHarness, webMetadata, type AdminHarness } from './admin.fixtures';

/**
 * AdminRpc across a real gRPC boundary, next to TokenRpc on one server as
 * token-service's main.ts serves them: bodies survive the JSON wire, and
 * errors keep their status and Bearer challenge for the edge to render.
 */
describe('AdminRpc over gRPC', () => {
  let h: AdminHarness;
  let server: RpcServer;
  let client: ClosableRpcClient<typeof AdminRpc>;
  let tokens: ClosableRpcClient<typeof TokenRpc>;

  beforeAll(async () => {
    h = await startAdminHarness({}, [TokenRpcModule, RpcHandlersModule]);
    server = await createRpcServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentRpcLogger,
      // The providers GrpcServer finds in token-service's process: TokenRpc's and AdminRpc's.
      services: h.app.get(RpcHandlerRegistry).bindings(),
    });
    client = grpcClient(AdminRpc, {
      address: `127.0.0.1:${server.port}`,
      logger: silentRpcLogger,
    });
    tokens = grpcClient(TokenRpc, { address: `127.0.0.1:${server.port}`, logger: silentRpcLogger });
  });
  afterAll(async () => {
    client?.close();
    tokens?.close();
    await server?.close();
    await h.close();
  });

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as OAuthError,
    );

  it('registers dynamically and reads back with the registration access token', async () => {
    const info = await client.registerClient({
      metadata: webMetadata() as never,
      source: 'dynamic_registration',
    });
    const clientId = String(info.metadata['client_id']);
    const token = info.registration_access_token!;
    // The admin client reaches token-service's other methods on the same server.
    expect(await tokens.getClient({ clientId }).then(({ client }) => client?.['client_id'])).toBe(
      clientId,
    );
    await expect(
      client.readRegistration({ clientId, registrationAccessToken: token }),
    ).resolves.toMatchObject({ metadata: { client_id: clientId } });
    const wrong = await failure(
      client.readRegistration({ clientId, registrationAccessToken: 'rat_wrong' }),
    );
    expect(wrong).toBeInstanceOf(OAuthError);
    expect(wrong).toMatchObject({ error: 'invalid_token', status: 401 });
    expect(wrong.headers['WWW-Authenticate']).toMatch(/^Bearer realm="idp", error="invalid_token"/);
  });

  it('names the caller on every event an admin call causes, and nobody on others (ADR 0017)', async () => {
    const ops = { kind: 'client', client_id: 'ops' } as const;
    const before = (await h.store.readAll('0', 100_000)).length;
    await client.createUser({
      sub: 'actor-u',
      username: 'actor-u',
      password: 'long enough pw',
      actor: ops,
    });
    await client.deleteUser({ sub: 'actor-u', actor: { kind: 'admin_token' } });
    await client.registerClient({ metadata: webMetadata() as never, source: 'admin' });
    const events = (await h.store.readAll('0', 100_000)).slice(before);
    const actorOf = (type: string) => events.filter((e) => e.type === type).map((e) => e.actor);
    expect(actorOf('user.created')).toEqual([ops]);
    expect(actorOf('user.deleted')).toEqual([{ kind: 'admin_token' }]);
    expect(actorOf('client.registered')).toEqual([undefined]);
    // Read back from the store as it was written (the column round-trips).
    expect(events.filter((e) => e.actor?.kind === 'client').length).toBeGreaterThanOrEqual(1);
  });

  it('keeps admin statuses (404) across the boundary', async () => {
    expect(await failure(client.readUser({ sub: 'nobody' }))).toMatchObject({
      error: 'invalid_request',
      status: 404,
      description: 'no such user',
    });
  });
});
