// The push receivers of the Shared Signals benchmark (RFC 8935): a few
// node:http servers on loopback, one path per receiver (`/ssf/<client_id>`,
// spread over the servers so they are distinct origins as well as distinct
// URLs). Each checks what a receiver must (content type, its Authorization
// header, typ, aud = itself, iss, the event), answers 202, and records when
// the first SET of the awaited revocation arrived. Signatures are checked
// afterwards on a sample (`sample`), off the clock.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { decodeSet, revokes, setProblem } from './set.mjs';

const PATH = '/ssf/';

export class SsfReceivers {
  /** client_id → { at (performance.now()), jti, compact } of the awaited revocation's first SET. */
  arrivals = new Map();
  problems = [];
  /** Every POST, and the valid SETs that were not the awaited one (verification, an earlier round's). */
  posts = 0;
  others = 0;
  #servers = [];
  #ports = [];
  /** client_id → { index, authorization }. */
  #receivers = new Map();
  #awaited;

  /** @param {{ servers?: number, iss?: string }} options */
  constructor({ servers = 4, iss } = {}) {
    this.serverCount = servers;
    this.iss = iss;
  }

  async listen() {
    for (let i = 0; i < this.serverCount; i++) {
      const server = createServer((req, res) => this.#handle(req, res));
      server.keepAliveTimeout = 60_000;
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.#servers.push(server);
      this.#ports.push(server.address().port);
    }
  }

  /** Registers a receiver; every push to it must carry `authorization`. */
  add(clientId, authorization) {
    if (!this.#receivers.has(clientId))
      this.#receivers.set(clientId, { index: this.#receivers.size, authorization });
  }

  authorizationOf(clientId) {
    return this.#receivers.get(clientId)?.authorization;
  }

  uriOf(clientId) {
    const r = this.#receivers.get(clientId);
    if (!r) throw new Error(`unknown receiver ${clientId}`);
    return `http://127.0.0.1:${this.#ports[r.index % this.#ports.length]}${PATH}${encodeURIComponent(clientId)}`;
  }

  /** From now on, record the SETs of `eventType` naming the access token `jti` (forgets the last round). */
  expect({ eventType, jti }) {
    this.#awaited = { eventType, jti };
    this.arrivals.clear();
    this.posts = 0;
    this.others = 0;
  }

  /** Up to `n` recorded SETs, spread evenly over the receivers, for the signature check. */
  sample(n) {
    const all = [...this.arrivals.entries()];
    const step = Math.max(1, Math.floor(all.length / n));
    return all
      .filter((_, i) => i % step === 0)
      .slice(0, n)
      .map(([clientId, a]) => ({ clientId, compact: a.compact }));
  }

  #handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      this.posts++;
      const clientId = decodeURIComponent((req.url ?? '').slice(PATH.length));
      const fail = (status, err, description) => {
        this.problems.push(`${clientId}: ${description}`);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ err, description }));
      };
      const receiver = this.#receivers.get(clientId);
      if (req.method !== 'POST' || !(req.url ?? '').startsWith(PATH) || !receiver)
        return fail(404, 'invalid_request', `${req.method} ${req.url}: no such receiver`);
      if (req.headers['authorization'] !== receiver.authorization)
        return fail(401, 'authentication_failed', 'wrong or missing Authorization header');
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
      if (type !== 'application/secevent+jwt')
        return fail(400, 'invalid_request', `content-type ${type}`);
      const compact = Buffer.concat(chunks).toString('utf8');
      let set;
      try {
        set = decodeSet(compact);
      } catch (err) {
        return fail(400, 'invalid_request', err.message);
      }
      const problem = setProblem(set, { aud: clientId, iss: this.iss });
      if (problem) return fail(400, 'invalid_request', problem);
      const awaited = this.#awaited;
      if (awaited && revokes(set, awaited.eventType, awaited.jti)) {
        const seen = this.arrivals.get(clientId);
        // A repeat (a retry after a lost answer) carries the same jti: RFC 8935 at-least-once.
        if (seen && seen.jti !== set.claims.jti)
          return fail(400, 'invalid_request', 'a second SET (another jti) for one revocation');
        if (!seen) this.arrivals.set(clientId, { at, jti: set.claims.jti, compact });
      } else {
        this.others++;
      }
      res.writeHead(202).end();
    });
  }

  async close() {
    await Promise.all(
      this.#servers.map(
        (s) =>
          new Promise((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }
}
