import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { waitFor } from '../support/service-process';

/** How one receiver answers a push. */
export type Answer = 'accept' | 'fail503' | 'invalid_key' | { readonly delayMs: number };

export interface ReceivedSet {
  readonly receiver: string;
  readonly payload: JWTPayload;
  readonly typ: string | undefined;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly authorization: string | undefined;
  readonly at: number;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * RFC 8935 push receivers on one node:http server, one path per receiver
 * (`/set/<name>`). Every SET is verified as a receiver must: signature
 * against the transmitter's JWKS, `typ: secevent+jwt`, iss and aud.
 */
export class SetReceivers {
  private server: Server | undefined;
  private port = 0;
  private readonly answers = new Map<string, Answer>();
  readonly received: ReceivedSet[] = [];
  readonly rejected: string[] = [];
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly issuer: () => string,
    private readonly audienceOf: (receiver: string) => string = (r) => r,
  ) {}

  async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  urlOf(receiver: string): string {
    return `http://127.0.0.1:${this.port}/set/${receiver}`;
  }

  answer(receiver: string, answer: Answer): void {
    this.answers.set(receiver, answer);
  }

  to(receiver: string): ReceivedSet[] {
    return this.received.filter((r) => r.receiver === receiver);
  }

  async waitFor(receiver: string, count = 1, timeoutMs = 15_000): Promise<ReceivedSet[]> {
    await waitFor(`${count} SET(s) at ${receiver}`, async () => this.to(receiver).length >= count, {
      timeoutMs,
      intervalMs: 20,
    });
    return this.to(receiver);
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const receiver = decodeURIComponent((req.url ?? '').replace(/^\/set\//, ''));
    const text = await body(req);
    const answer = this.answers.get(receiver) ?? 'accept';
    if (typeof answer === 'object') await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer === 'fail503') return void res.writeHead(503).end();
    if (answer === 'invalid_key') {
      res.writeHead(400, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ err: 'invalid_key', description: 'test' }));
    }
    try {
      this.jwks ??= createRemoteJWKSet(new URL(`${this.issuer()}/jwks`));
      const { payload, protectedHeader } = await jwtVerify(text, this.jwks, {
        issuer: this.issuer(),
        audience: this.audienceOf(receiver),
        typ: 'secevent+jwt',
      });
      this.received.push({
        receiver,
        payload,
        typ: protectedHeader.typ,
        contentType: req.headers['content-type'],
        accept: req.headers['accept'],
        authorization: req.headers['authorization'],
        at: Date.now(),
      });
      res.writeHead(202).end();
    } catch (err) {
      this.rejected.push(`${receiver}: ${(err as Error).message}`);
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ err: 'invalid_request' }));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
