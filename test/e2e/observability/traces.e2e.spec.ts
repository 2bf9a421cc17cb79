import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  basic,
  CLIENTS,
  FORM,
  serviceClient,
  writeIntrospectionSeed,
} from '../introspection/introspection.fixtures';
import {
  bearer,
  RP,
  RP_LOGGED_OUT,
  signIn,
  writeLogoutSeed,
  type Rp,
} from '../logout/logout.fixtures';
import { REDIRECT_URI } from '../oidc/seed';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { discover, rpFor, type ServerMetadata } from '../support/rp';
import { freePort, ROOT, ServiceProcess, waitFor } from '../support/service-process';
import { HeaderRecordingRps, jsonLines, RecordingBrowser } from './logs.support';
import { OtlpReceiver, renderTrace, type ReceivedSpan } from './traces.support';

jest.setTimeout(180_000);

const ADMIN_TOKEN = 'e2e-traces-admin-token-0123456789abcdef-01';
const SERVICE = { id: 'svc-traces', secret: 'svc-traces-secret-0123456789abcdef' };
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

/** The logout seed (rp-a, rp-b, rp-c with back-channel URIs) plus a client_credentials client. */
function writeTracesSeed(uriOf: (clientId: string) => string): string {
  const seed = JSON.parse(readFileSync(writeLogoutSeed(uriOf), 'utf8')) as { clients: unknown[] };
  seed.clients.push(serviceClient(SERVICE, 'opaque'));
  const file = join(mkdtempSync(join(tmpdir(), 'idp-traces-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

const one = (spans: readonly ReceivedSpan[], match: (s: ReceivedSpan) => boolean) =>
  spans.find(match);

/**
 * Issue #14, traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, every service
 * exports spans over OTLP/HTTP (JSON) to a collector, here one in the test
 * process, and the spans of one request form one trace across services.
 */
describe('traces (distributed mode, OTLP/HTTP to an in-process receiver)', () => {
  const receiver = new OtlpReceiver();
  const rps = new HeaderRecordingRps();
  let stack: DistributedStack;
  let base = '';
  let issuer: ServerMetadata;

  beforeAll(async () => {
    await receiver.listen();
    await rps.listen();
    const authPort = await freePort();
    base = `http://127.0.0.1:${authPort}`;
    stack = await startDistributedStack({
      name: 'traces',
      issuer: base,
      authPort,
      seedFile: writeTracesSeed((clientId) => rps.uriOf(clientId)),
      env: {
        ADMIN_TOKEN,
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    issuer = await discover(base);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await rps.close();
    await receiver.close();
  });

  const traceWith = (what: string, match: (spans: ReceivedSpan[]) => boolean, traceId: string) =>
    waitFor(
      what,
      async () => {
        if (receiver.problems.length) throw new Error(receiver.problems.join('\n'));
        const spans = receiver.trace(traceId);
        return match(spans) ? spans : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  it('(a) one client_credentials /token request: one trace from auth-api through gRPC to the event store', async () => {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(SERVICE) },
      body: 'grant_type=client_credentials&scope=reports%3Aread',
    });
    expect(res.status).toBe(200);

    const http = await waitFor(
      'the /token server span of auth-api',
      async () => one(receiver.spans, (s) => s.service === 'auth-api' && s.name === 'POST /token'),
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const spans = await traceWith(
      'the gRPC and append spans of the same trace',
      (t) =>
        t.some((s) => s.service === 'token-service' && s.name === 'idp.token/token') &&
        t.some((s) => s.service === 'token-service' && s.name === 'append grant'),
      http.traceId,
    );
    const detail = renderTrace(spans);
    expect(http).toMatchObject({ kind: SERVER, parentSpanId: undefined });
    expect(http.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/token',
      'http.response.status_code': 200,
    });
    const rpcClient = one(
      spans,
      (s) => s.service === 'auth-api' && s.kind === CLIENT && s.name === 'idp.token/token',
    );
    const rpcServer = one(
      spans,
      (s) => s.service === 'token-service' && s.kind === SERVER && s.name === 'idp.token/token',
    );
    const append = one(spans, (s) => s.name === 'append grant');
    expect({ detail, client: rpcClient?.name, server: rpcServer?.name }).toMatchObject({
      client: 'idp.token/token',
      server: 'idp.token/token',
    });
    // Each hop's parent is the span that made the call: what the next hop saw in its metadata.
    expect({ detail, parent: rpcClient?.parentSpanId }).toMatchObject({ parent: http.spanId });
    expect({ detail, parent: rpcServer?.parentSpanId }).toMatchObject({
      parent: rpcClient?.spanId,
    });
    expect({ detail, parent: append?.parentSpanId }).toMatchObject({ parent: rpcServer?.spanId });
    expect(append?.attributes).toMatchObject({
      'db.operation.name': 'append',
      'db.system.name': 'postgresql',
    });
    // A log line written inside a span names it: token-service's line for the call it served.
    const served = await waitFor(
      "token-service's rpc line for the call",
      async () =>
        jsonLines(stack.token.allLogs()).find(
          (l) =>
            l['log'] === 'rpc' &&
            l['path'] === '/idp.token/token' &&
            l['trace_id'] === http.traceId,
        ),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(served['span_id']).toBe(rpcServer?.spanId);
    // Nothing secret travels in a span: no client secret, no token.
    const body = JSON.stringify(spans);
    expect(body).not.toContain(SERVICE.secret);
  });

  it('(b) one logout of a session with two RPs: a back-channel POST span per RP in the logout trace', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const remoteParent = 'b7ad6b7169203331';
    const browser = new RecordingBrowser();
    const client = (rp: Rp) =>
      rpFor(issuer, {
        client_id: rp.id,
        client_secret: rp.secret,
        redirect_uris: [REDIRECT_URI],
      });
    await signIn(browser, base, client(RP.a));
    const tokens = await signIn(browser, base, client(RP.b));
    const sid = tokens.claims().sid as string;
    for (const rp of [RP.a, RP.b]) {
      await waitFor(`${rp.id} joined ${sid}`, async () => {
        const res = await fetch(`${stack.auth.adminUrl}/admin/sessions/${sid}`, {
          headers: bearer(ADMIN_TOKEN),
        });
        return (
          res.status === 200 &&
          ((await res.json()) as { clientIds: string[] }).clientIds.includes(rp.id)
        );
      });
    }

    const res = await browser.fetch(
      `${base}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: RP_LOGGED_OUT })}`,
      { headers: { traceparent: `00-${traceId}-${remoteParent}-01` } },
    );
    expect(res.status).toBe(303);

    const posts = (t: ReceivedSpan[]) =>
      t.filter((s) => s.service === 'session-service' && s.name === 'POST backchannel-logout');
    const spans = await traceWith(
      'the logout request, the endSession call and a back-channel POST span for rp-a and rp-b',
      (t) =>
        t.some((s) => s.service === 'auth-api' && s.name === 'GET /logout') &&
        t.some((s) => s.service === 'session-service' && s.name === 'idp.session/endSession') &&
        [RP.a.id, RP.b.id].every((id) =>
          posts(t).some((s) => s.attributes['idp.client_id'] === id),
        ),
      traceId,
    );
    const detail = renderTrace(spans);
    if (process.env['TRACES_SAMPLE'] !== undefined)
      writeFileSync(process.env['TRACES_SAMPLE'], detail);

    const http = one(spans, (s) => s.service === 'auth-api' && s.name === 'GET /logout');
    expect({ detail, parent: http?.parentSpanId }).toMatchObject({ parent: remoteParent });
    expect(
      one(spans, (s) => s.service === 'session-service' && s.name === 'idp.session/endSession'),
    ).toBeDefined();
    // session.ended has two consumers in session-service: back-channel logout and the Shared
    // Signals fan-out (ADR 0035); both continue the logout's trace.
    const consumerOf = (group: string) =>
      one(
        spans,
        (s) =>
          s.service === 'session-service' &&
          s.kind === CONSUMER &&
          s.name === 'process idp.internal.session.events' &&
          s.attributes['idp.event.type'] === 'session.ended' &&
          s.attributes['messaging.consumer.group.name'] === group,
      );
    const consumer = consumerOf('session-service.backchannel');
    expect({ detail, consumer: consumer?.attributes }).toMatchObject({
      consumer: { 'messaging.consumer.group.name': 'session-service.backchannel' },
    });
    for (const rp of [RP.a, RP.b]) {
      const post = posts(spans).find((s) => s.attributes['idp.client_id'] === rp.id)!;
      expect(post).toMatchObject({ kind: CLIENT, parentSpanId: consumer?.spanId });
      expect(post.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.response.status_code': 200,
      });
      // The RP's own tracing sees our POST span as its parent.
      const received = rps.posts.find((p) => p.clientId === rp.id);
      expect(received?.headers['traceparent']).toBe(`00-${traceId}-${post.spanId}-01`);
    }
  });
});

describe('traces off (the default)', () => {
  it('loads no OpenTelemetry SDK module: the built service graph with tracing not configured', () => {
    const script = `
      const { startTracing } = require(${JSON.stringify(join(ROOT, 'packages/observability/dist/index.js'))});
      require(${JSON.stringify(join(ROOT, 'apps/embedded/dist/embedded.js'))});
      startTracing('embedded').then((tracing) => {
        // prom-client loads the (no-op) API on its own, for exemplars; the SDK must stay out.
        const loaded = Object.keys(require.cache).filter(
          (k) => k.includes('@opentelemetry') && !k.includes('@opentelemetry/api/'),
        );
        process.stdout.write(JSON.stringify({ started: tracing !== undefined, loaded }));
      });`;
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('OTEL_')) delete env[key];
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { env }).toString()) as {
      started: boolean;
      loaded: string[];
    };
    expect(out).toEqual({ started: false, loaded: [] });
  });

  /** The embedded app with `env`, one client_credentials /token request, then a pause for any export. */
  async function embeddedToken(env: Record<string, string>): Promise<void> {
    let stoppedInMs = Infinity;
    const dataDir = mkdtempSync(join(tmpdir(), 'idp-traces-embedded-'));
    const port = await freePort();
    const embedded = new ServiceProcess('embedded', {
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      SEED_FILE: writeIntrospectionSeed(),
      LOG_LEVEL: 'warn',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...env,
    }).start();
    try {
      await embedded.waitReady();
      const res = await fetch(`${embedded.url}/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(CLIENTS.opaque) },
        body: 'grant_type=client_credentials&scope=reports%3Aread',
      });
      expect(res.status).toBe(200);
      // Ten times the batch delay a started SDK would use.
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      const stopping = Date.now();
      await embedded.stop();
      stoppedInMs = Date.now() - stopping;
      rmSync(dataDir, { recursive: true, force: true });
    }
    // SIGTERM ended it (the flush included), not the SIGKILL that stop() sends after 10 s.
    expect(stoppedInMs).toBeLessThan(9_000);
  }

  it('exports nothing and connects nowhere, not even to the default collector port 4318', async () => {
    const receiver = new OtlpReceiver();
    // Where an SDK started by mistake would send its spans (localhost, IPv4 or IPv6).
    await receiver.listen(4318, undefined);
    try {
      await embeddedToken({ OTEL_EXPORTER_OTLP_ENDPOINT: '' });
      expect({ connections: receiver.connections, spans: receiver.spans.length }).toEqual({
        connections: 0,
        spans: 0,
      });
    } finally {
      await receiver.close();
    }
  });

  it('(control) the same run with the variable set exports the embedded trace, flushed at SIGTERM', async () => {
    const receiver = new OtlpReceiver();
    await receiver.listen();
    try {
      // No scheduled export during the run: the spans can only come from the flush at shutdown.
      await embeddedToken({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      const http = receiver.spans.find((s) => s.name === 'POST /token');
      expect(http?.service).toBe('embedded');
      const names = receiver.trace(http!.traceId).map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining(['POST /token', 'idp.token/token', 'append grant']),
      );
      expect(
        receiver.spans.find((s) => s.name === 'append grant')?.attributes['db.system.name'],
      ).toBe('sqlite');
    } finally {
      await receiver.close();
    }
  });
});
