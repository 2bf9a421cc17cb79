import type { IncomingMessage, ServerResponse } from 'node:http';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '@idp/observability';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { observeRequest } from './access-log';
import { isProbeOrScrape } from './admin-plane';
import { endHttpSpan, startHttpSpan } from './http-span';

const request = (method: string, url: string, headers: Record<string, string> = {}) =>
  ({ method, url, headers, httpVersion: '1.1' }) as unknown as IncomingMessage;
const response = (statusCode: number, writableFinished = true) =>
  ({ statusCode, writableFinished }) as unknown as ServerResponse;

describe('HTTP server spans', () => {
  it('cost nothing when tracing is off: the request is not even read', () => {
    const untouchable = new Proxy({} as IncomingMessage, {
      get: (_target, key) => {
        throw new Error(`read ${String(key)}`);
      },
    });
    expect(startHttpSpan(untouchable)).toBeUndefined();
  });

  describe('on', () => {
    let exporter: InMemorySpanExporter;
    let tracing: Tracing;
    beforeEach(async () => {
      exporter = new InMemorySpanExporter();
      tracing = (await startTracing('http', { exporter, flushOnSignals: false }))!;
    });
    afterEach(() => tracing.shutdown());
    const spans = async (): Promise<ReadableSpan[]> => {
      await tracing.flush();
      return exporter.getFinishedSpans();
    };

    it('is named by method and route template, and keeps the query out', async () => {
      const req = request('GET', '/authorize?code=secret-code&state=s');
      endHttpSpan(startHttpSpan(req)!, req, response(302), '/authorize');
      const [span] = await spans();
      expect(span?.name).toBe('GET /authorize');
      expect(span?.attributes).toEqual({
        'http.request.method': 'GET',
        'url.path': '/authorize',
        'url.scheme': 'http',
        'network.protocol.version': '1.1',
        'http.route': '/authorize',
        'http.response.status_code': 302,
      });
      expect(JSON.stringify(span?.attributes)).not.toContain('secret-code');
      expect(span?.parentSpanContext).toBeUndefined();
    });

    it("continues the caller's trace, and marks a 5xx, an aborted response and an odd method", async () => {
      const traced = request('POST', '/token', {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      endHttpSpan(startHttpSpan(traced)!, traced, response(503), '/token');
      const aborted = request('GET', '/x');
      endHttpSpan(startHttpSpan(aborted)!, aborted, response(200, false), undefined);
      const odd = request('BREW', '/pot');
      endHttpSpan(startHttpSpan(odd)!, odd, response(405), undefined);
      const [failed, cut, brew] = await spans();
      expect(failed?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(failed?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      expect(failed?.attributes['error.type']).toBe('503');
      expect(cut?.name).toBe('GET');
      expect(cut?.attributes['error.type']).toBe('aborted');
      expect(brew?.name).toBe('_OTHER');
      expect(brew?.attributes['error.type']).toBeUndefined();
    });

    it('makes no span for a request observed with traced: false (probes, scrapes)', async () => {
      const server = createServer((req, res) => {
        const traced = !isProbeOrScrape(req.url);
        observeRequest(req, res, (_q, r) => r.end('ok'), { traced });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        for (const path of ['/health/ready', '/metrics', '/health', '/admin/clients/x'])
          await (await fetch(`${base}${path}`)).text();
        await new Promise((resolve) => setTimeout(resolve, 20)); // the close listeners
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect((await spans()).map((span) => span.attributes['url.path'])).toEqual([
        '/admin/clients/x',
      ]);
    });
  });
});

describe('isProbeOrScrape', () => {
  it.each([
    ['/health', true],
    ['/health/live', true],
    ['/health/ready?verbose=1', true],
    ['/metrics', true],
    ['/metrics?name[]=x', true],
    ['/healthz', false],
    ['/metrics/../admin/clients', false],
    ['/admin/clients', false],
    [undefined, false],
  ])('%s -> %s', (url, expected) => {
    expect(isProbeOrScrape(url)).toBe(expected);
  });
});
