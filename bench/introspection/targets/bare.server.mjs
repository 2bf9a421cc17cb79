// The bare limit: node:http, parse the form body, one Redis GET, a fixed JSON.
// No client authentication, no token parsing, no framework: the floor.
import { createServer } from 'node:http';
import Redis from 'ioredis';

const prefix = process.env.BARE_KEY_PREFIX;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});
const ACTIVE = Buffer.from(
  JSON.stringify({ active: true, client_id: 'bench', scope: 'api:read', token_type: 'Bearer' }),
);
const INACTIVE = Buffer.from('{"active":false}');
const headers = (body) => ({
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'content-length': body.length,
});

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const token = new URLSearchParams(Buffer.concat(chunks).toString('latin1')).get('token');
    if (!token) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
      return;
    }
    redis.get(prefix + token).then(
      (hit) => {
        const body = hit === null ? INACTIVE : ACTIVE;
        res.writeHead(200, headers(body)).end(body);
      },
      () => res.writeHead(500).end(),
    );
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ ready: { port: server.address().port } }));
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  process.exit(0);
});
