import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as GrpcServer, ServerCredentials, type sendUnaryData } from '@grpc/grpc-js';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createOtlpExporter, otlpProtocol, type OtlpProtocol } from './otlp-exporter';

describe('otlpProtocol (OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL)', () => {
  it.each([
    [{}, { protocol: 'http/protobuf' }],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: '' }, { protocol: 'http/protobuf' }],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, { protocol: 'http/json' }],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: ' grpc ' }, { protocol: 'grpc' }],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' },
      { protocol: 'http/json' },
    ],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }, { protocol: 'http/protobuf', refused: 'thrift' }],
  ])('%j -> %j', (env, chosen) => {
    expect(otlpProtocol(env)).toEqual(chosen);
  });
});

/** Exports one span named `name` through a fresh exporter of `protocol`. */
async function exportOneSpan(protocol: OtlpProtocol, endpoint: string, name: string) {
  const saved = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = endpoint;
  try {
    const exporter = await createOtlpExporter(protocol);
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    provider.getTracer('test').startSpan(name).end();
    await provider.forceFlush();
    await provider.shutdown();
  } finally {
    if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    else process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = saved;
  }
}

interface Received {
  readonly contentType: string | undefined;
  readonly path: string | undefined;
  readonly body: Buffer;
}

describe('each OTLP protocol reaches a receiver of that protocol', () => {
  let http: Server;
  let httpUrl: string;
  const posts: Received[] = [];
  beforeAll(async () => {
    http = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posts.push({
          contentType: req.headers['content-type'],
          path: req.url,
          body: Buffer.concat(chunks),
        });
        // An empty ExportTraceServiceResponse: zero bytes in protobuf, {} in JSON.
        const json = req.headers['content-type']?.includes('json');
        res.writeHead(200, { 'Content-Type': req.headers['content-type'] ?? '' });
        res.end(json ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));
  beforeEach(() => (posts.length = 0));

  it('http/protobuf (the default): a protobuf body holding the span', async () => {
    await exportOneSpan('http/protobuf', httpUrl, 'span-over-protobuf');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.contentType).toBe('application/x-protobuf');
    expect(posts[0]!.path).toBe('/v1/traces');
    // Protobuf keeps strings as UTF-8 bytes; JSON would start with '{'.
    expect(posts[0]!.body.includes('span-over-protobuf')).toBe(true);
    expect(posts[0]!.body[0]).not.toBe('{'.charCodeAt(0));
  });

  it('http/json: a JSON body holding the span', async () => {
    await exportOneSpan('http/json', httpUrl, 'span-over-json');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.contentType).toBe('application/json');
    const body = JSON.parse(posts[0]!.body.toString('utf8')) as {
      resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
    };
    expect(body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name).toBe('span-over-json');
  });

  it('grpc: the TraceService/Export call holding the span', async () => {
    const calls: Buffer[] = [];
    const server = new GrpcServer();
    const identity = (b: Buffer) => b;
    server.addService(
      {
        Export: {
          path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      {
        Export: (call: { request: Buffer }, callback: sendUnaryData<Buffer>) => {
          calls.push(call.request);
          callback(null, Buffer.alloc(0));
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    try {
      await exportOneSpan('grpc', `http://127.0.0.1:${port}`, 'span-over-grpc');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.includes('span-over-grpc')).toBe(true);
    } finally {
      server.forceShutdown();
    }
  });
});
