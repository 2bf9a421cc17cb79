// A plain node:http server with an introspection-shaped route (reads the form body, answers a
// fixed JSON through sendRaw), observed piece by piece: argv[2] names the variant
// (`bare`, `full` = observeRequest as raw routes use it, or pieces joined by `+`:
// ctx, hdr, close, timer, log, plog, raw, als). Needs `npx tsc -b` first. See README.md.
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { join } = require('node:path');
const root = join(__dirname, '..', '..');
const kit = (p) => require(join(root, 'packages/nest-kit/dist', p));
const obs = require(join(root, 'packages/observability/dist/index.js'));
const pino = require(join(root, 'node_modules/pino'));
const { observeRequest } = kit('http/access-log.js');
const { sendRaw, readFormBody } = kit('http/raw-route.js');
const { RouteTimer } = kit('metrics/http-metrics.js');

const variant = process.argv[2] ?? 'bare';
const port = Number(process.argv[3] ?? 7071);
const has = (piece) => variant.split('+').includes(piece);
const body = {
  active: true,
  client_id: 'rp-one',
  scope: 'openid profile',
  sub: 'user-1',
  exp: 1999999999,
  iat: 1700000000,
  token_type: 'Bearer',
};
const handle = (req, res) => {
  readFormBody(req, 65536).then(() =>
    sendRaw(res, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' }, body),
  );
};
const timer = new RouteTimer('/introspect');
const log = obs.rootLogger();
const destination = pino.destination({ dest: 1, sync: false });
const plain = pino(
  {
    base: { service: 'x' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (l) => ({ level: l }) },
  },
  destination,
);
const fields = (req, res, ctx, elapsed) => ({
  log: 'access',
  method: req.method,
  route: '/introspect',
  status: res.statusCode,
  duration_ms: Math.round(elapsed * 100) / 100,
  request_id: ctx.requestId,
  trace_id: ctx.traceId,
});

const piecewise = (req, res) => {
  const ctx = has('ctx') ? obs.extractFrom(req.headers) : undefined;
  const started = performance.now();
  if (has('hdr')) res.setHeader('X-Request-Id', ctx.requestId);
  if (has('close'))
    res.once('close', () => {
      const elapsed = performance.now() - started;
      if (has('timer')) timer.observe(req.method, res.statusCode, elapsed / 1000);
      if (has('log')) log.info(fields(req, res, ctx, elapsed), 'request completed');
      if (has('plog')) plain.info(fields(req, res, ctx, elapsed), 'request completed');
      if (has('raw'))
        destination.write(
          `{"level":"info","time":"${new Date().toISOString()}","service":"x",` +
            `${JSON.stringify(fields(req, res, ctx, elapsed)).slice(1, -1)},"msg":"request completed"}\n`,
        );
    });
  if (has('als')) obs.runWithContext(ctx, () => handle(req, res));
  else handle(req, res);
};

const listeners = {
  bare: handle,
  full: (req, res) =>
    observeRequest(req, res, handle, { route: '/introspect', timer, answeredBySendRaw: true }),
};
http
  .createServer(listeners[variant] ?? piecewise)
  .listen(port, '127.0.0.1', () => console.error('ready', variant));
