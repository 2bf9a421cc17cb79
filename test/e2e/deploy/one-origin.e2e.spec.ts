import { readFileSync } from 'node:fs';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { freePort } from '../support/service-process';
import {
  basic,
  clientCredentialsToken,
  CLIENTS,
  FORM,
  introspect,
  writeIntrospectionSeed,
} from '../introspection/introspection.fixtures';
import {
  EDGE_CONF,
  EdgeProxy,
  edgeRoutes,
  findNginx,
  INGRESS_YAML,
  ingressRoutes,
  renderEdgeConf,
} from './edge-proxy';

/**
 * Issue #14: the distributed mode behind ONE public origin. Discovery
 * advertises `${ISSUER}/introspect`, which auth-api does not serve; the
 * shipped edge (deploy/compose/edge.conf, the same route table as the
 * Kubernetes Ingress) sends it to introspection-service. This runs that
 * exact file in a real nginx in front of the real processes and follows
 * discovery: every URL it advertises must answer at the issuer.
 */
const nginx = findNginx();
if (!nginx) {
  console.warn(
    'one-origin e2e SKIPPED: no nginx binary (install Debian\'s "nginx" package, or run ' +
      '`bash scripts/infra/nginx.sh ensure` as root; `npm test` does it)',
  );
}
const describeWithNginx = nginx ? describe : describe.skip;

/** Endpoints a client POSTs a form to; an empty one must get an OAuth error, never a 404. */
const POST_ENDPOINTS = new Set([
  'token_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'registration_endpoint',
  'pushed_authorization_request_endpoint',
  // RFC 8628 3.1: POST only, like /token.
  'device_authorization_endpoint',
]);
const INITIAL_ACCESS_TOKEN = 'one-origin-initial-access-token-0123456789abcdef';

describe('the shipped edge route table', () => {
  const edge = edgeRoutes(readFileSync(EDGE_CONF, 'utf8'));

  it('routes /introspect (exactly) to introspection-service and everything else to auth-api', () => {
    expect(edge).toEqual([
      { path: '/introspect', match: 'Exact', app: 'introspection-service' },
      { path: '/', match: 'Prefix', app: 'auth-api' },
    ]);
  });

  it('is the Kubernetes Ingress route table too', () => {
    const ingress = ingressRoutes(readFileSync(INGRESS_YAML, 'utf8'));
    const sort = (r: typeof edge) => [...r].sort((a, b) => a.path.localeCompare(b.path));
    expect(sort(ingress)).toEqual(sort(edge));
  });

  it('refuses to render a config whose shape changed (the test must run the shipped file)', () => {
    const conf = readFileSync(EDGE_CONF, 'utf8');
    const render = (c: string) =>
      renderEdgeConf(c, 1, { 'introspection-service': ['a:1'], 'auth-api': ['b:2'] });
    expect(() => render(conf)).not.toThrow();
    expect(() => render(conf.replace('listen 3000;', 'listen 3001;'))).toThrow(/listen 3000/);
    expect(() => render(conf.replace('http://auth-api:3000', 'http://other:3000'))).toThrow(
      /auth-api/,
    );
  });
});

describeWithNginx('distributed mode behind the shipped edge: one public origin', () => {
  let stack: DistributedStack;
  let proxy: EdgeProxy;
  let issuer: string;
  let discovery: Record<string, unknown>;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    stack = await startDistributedStack({
      name: 'one_origin',
      issuer,
      introspectionReplicas: 2,
      seedFile: writeIntrospectionSeed(),
      // registration_endpoint is advertised (and so checked) only while registration is on
      env: { INITIAL_ACCESS_TOKEN, TRUST_PROXY: '1' },
    });
    const conf = renderEdgeConf(readFileSync(EDGE_CONF, 'utf8'), port, {
      'introspection-service': stack.introspection.map((p) => p.url.replace('http://', '')),
      'auth-api': [stack.auth.url.replace('http://', '')],
    });
    proxy = new EdgeProxy(nginx!, port, conf);
    await proxy.start();
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    discovery = (await res.json()) as Record<string, unknown>;
  }, 180_000);

  afterAll(async () => {
    await proxy?.stop();
    await stack?.stop();
  }, 60_000);

  const advertised = (): [string, string][] =>
    Object.entries(discovery).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && /^https?:\/\//.test(e[1]),
    );

  it('advertises every endpoint at the issuer (the edge), /introspect included', () => {
    expect(discovery.issuer).toBe(issuer);
    const urls = advertised();
    expect(urls.map(([k]) => k)).toEqual(
      expect.arrayContaining(['introspection_endpoint', 'jwks_uri', 'registration_endpoint']),
    );
    for (const [key, url] of urls) {
      if (key === 'issuer') continue;
      expect(`${key} ${url}`).toMatch(new RegExp(`^${key} ${issuer}/`));
    }
  });

  it('answers every advertised GET endpoint (not 404, not 5xx)', async () => {
    const failures: string[] = [];
    for (const [key, url] of advertised()) {
      if (key === 'issuer' || POST_ENDPOINTS.has(key)) continue;
      const res = await fetch(url, { redirect: 'manual' });
      const type = res.headers.get('content-type') ?? '';
      await res.arrayBuffer();
      if (res.status === 404 || res.status >= 500) failures.push(`${key}: ${res.status}`);
      if (
        key === 'jwks_uri' &&
        (res.status !== 200 || !/^application\/(jwk-set\+)?json/.test(type))
      )
        failures.push(`${key}: ${res.status} ${type}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers every advertised POST endpoint with an OAuth error for an empty request', async () => {
    const failures: string[] = [];
    const checked: string[] = [];
    for (const [key, url] of advertised()) {
      if (!POST_ENDPOINTS.has(key)) continue;
      checked.push(key);
      const res = await fetch(url, { method: 'POST', headers: FORM, body: '' });
      const text = await res.text();
      let error: unknown;
      try {
        error = (JSON.parse(text) as { error?: unknown }).error;
      } catch {
        error = undefined;
      }
      if (res.status < 400 || res.status >= 500 || typeof error !== 'string')
        failures.push(`${key}: ${res.status} ${text.slice(0, 120)}`);
    }
    expect(checked.sort()).toEqual([...POST_ENDPOINTS].sort());
    expect(failures).toEqual([]);
  });

  it('serves a real introspection through the edge, of a token minted through it', async () => {
    const token = await clientCredentialsToken(issuer, CLIENTS.opaque);
    // nginx round-robins over the two replicas; every answer must see the token.
    for (let i = 0; i < 4; i++) {
      const { status, body } = await introspect(issuer, token, CLIENTS.opaque);
      expect(status).toBe(200);
      expect(body).toMatchObject({ active: true, client_id: CLIENTS.opaque.id });
    }
    const wrong = await fetch(`${issuer}/introspect`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic({ id: CLIENTS.opaque.id, secret: 'wrong' }) },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('does not route the admin endpoints: /metrics and /health/* are not on the public origin', async () => {
    for (const path of ['/metrics', '/health/ready', '/admin/clients']) {
      const res = await fetch(`${issuer}${path}`);
      await res.arrayBuffer();
      expect(`${path} ${res.status}`).toBe(`${path} 404`);
    }
  });
});
