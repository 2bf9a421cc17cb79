// The RPs of the benchmark: one node:http server, one path per client
// (`/bcl/<client_id>`). Each records when its first logout token arrived;
// a failing RP answers 503 until its recovery time.
import { createServer } from 'node:http';

export class Receivers {
  /** client_id → { at, jti } of the first accepted token. */
  first = new Map();
  /** client_id → epoch ms until which it answers 503. */
  failingUntil = new Map();
  problems = [];
  posts = 0;
  #server;
  port = 0;

  uriOf(clientId) {
    return `http://127.0.0.1:${this.port}/bcl/${clientId}`;
  }

  reset() {
    this.first.clear();
    this.failingUntil.clear();
    this.posts = 0;
  }

  async listen() {
    this.#server = createServer((req, res) => {
      const clientId = (req.url ?? '').slice('/bcl/'.length);
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.posts++;
        if ((this.failingUntil.get(clientId) ?? 0) > Date.now()) {
          res.writeHead(503).end();
          return;
        }
        const at = Date.now();
        try {
          // A light check (the e2e tests verify signatures): the token is for this RP.
          const token = new URLSearchParams(body).get('logout_token') ?? '';
          const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
          if (claims.aud !== clientId) throw new Error(`aud ${claims.aud}`);
          const seen = this.first.get(clientId);
          if (seen && seen.jti !== claims.jti) throw new Error('a second jti for one delivery');
          if (!seen) this.first.set(clientId, { at, jti: claims.jti });
          res.writeHead(200).end();
        } catch (err) {
          this.problems.push(`${clientId}: ${err.message}`);
          res.writeHead(400).end();
        }
      });
    });
    this.#server.keepAliveTimeout = 60_000;
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = this.#server.address().port;
  }

  close() {
    this.#server?.closeAllConnections();
    return new Promise((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }
}
