// Target "peer": node-oidc-provider (peer.server.mjs) in its own process.
import { createRequire } from 'node:module';
import { basicAuth, clientCredentials, introspect } from '../../lib/oauth.mjs';
import { ServerProcess } from '../../lib/processes.mjs';

const version = createRequire(import.meta.url)('oidc-provider/package.json').version;
const clients = [
  {
    client_id: 'bench-opaque',
    client_secret: 'bench-opaque-secret-0123456789abcdef',
    format: 'opaque',
  },
  { client_id: 'bench-jwt', client_secret: 'bench-jwt-secret-0123456789abcdefgh', format: 'jwt' },
];

export default {
  name: 'peer',
  label: `node-oidc-provider ${version}`,

  async start({ tokenCount, kinds }) {
    const server = new ServerProcess('peer', {
      module: new URL('./peer.server.mjs', import.meta.url).pathname,
      env: { PEER_CLIENTS: JSON.stringify(clients) },
    }).fork();
    const { port, introspectionPath } = await server.ready();
    const base = `http://127.0.0.1:${port}`;
    const url = `${base}${introspectionPath}`;
    const result = {};
    for (const kind of kinds) {
      const client = clients.find((c) => c.format === kind);
      const authorization = basicAuth(client.client_id, client.client_secret);
      const tokens = [];
      for (let i = 0; i < tokenCount; i++) {
        tokens.push(await clientCredentials(`${base}/token`, authorization, { scope: 'api:read' }));
      }
      // oidc-provider refuses to introspect structured (JWT) tokens by design:
      // detect that here instead of benchmarking its error path.
      const probe = await introspect(url, authorization, tokens[0]);
      result[kind] =
        probe.status === 400 && probe.body?.error === 'unsupported_token_type'
          ? { unsupported: `${probe.body.error}: ${probe.body.error_description}` }
          : { authorization, tokens, expect: { client_id: client.client_id } };
    }
    return {
      url,
      pids: () => [server.pid],
      notes: [
        'in-memory adapter (the peer default; tokens live in the server process, no network hop: an advantage for the peer)',
      ],
      kinds: result,
      stop: () => server.stop(),
    };
  },
};
