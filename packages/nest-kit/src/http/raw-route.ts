import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { OAuthError } from '@idp/oauth-errors';
import type { RawParams } from './params/parse-params';
import { paramRecord } from './params/param-record';

/** A handler that owns the request and must answer it (it never falls through). */
export type RawHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface RawRoute {
  readonly method: 'POST';
  /** The exact path; a query string is allowed and ignored. */
  readonly path: string;
  readonly handle: RawHandler;
}

/**
 * Serves one route straight from node:http, ahead of Fastify and Nest, on the
 * server they already listen with; every other request goes to them
 * unchanged. For the one endpoint whose cost is the product (introspection):
 * routing, hooks, the body parser and reply serialisation of the framework
 * cost more CPU than the endpoint's own work (ADR 0010). Everything else
 * stays a Nest controller.
 *
 * Call before the server listens (onModuleInit); the framework has attached
 * its request listener by then.
 */
export function installRawRoute(server: Server, route: RawRoute): void {
  const framework = server.listeners('request') as RawHandler[];
  if (framework.length === 0)
    throw new Error('installRawRoute: the server has no request listener');
  server.removeAllListeners('request');
  const prefix = `${route.path}?`;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '';
    if (request.method === route.method && (url === route.path || url.startsWith(prefix))) {
      route.handle(request, response);
      return;
    }
    for (const listener of framework) listener.call(server, request, response);
  });
}

/**
 * The body of a form POST as raw parameters (a repeated name becomes an
 * array, as Fastify's parser gives it, so `parseParams` refuses it). Bodies
 * over `limit` bytes are refused with 413 without being buffered; a body that
 * is not valid UTF-8 or percent-encoding is decoded leniently, as browsers do
 * (the parameters are validated afterwards).
 */
export function readFormBody(request: IncomingMessage, limit: number): Promise<RawParams> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume(); // discard; the answer closes the connection
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        request.removeAllListeners('data');
        request.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > limit) return;
      resolve(decodeForm(Buffer.concat(chunks, size).toString('utf8')));
    });
  });
}

/**
 * application/x-www-form-urlencoded, the WHATWG way ('+' is a space). A body
 * with nothing encoded (a base64url token and plain names: introspection's
 * usual request) is split directly, which is what URLSearchParams would
 * return for it at a fraction of the cost.
 */
export function decodeForm(body: string): RawParams {
  const out: Record<string, string | string[]> = paramRecord<string | string[]>();
  const add = (name: string, value: string) => {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  };
  if (body.includes('%') || body.includes('+')) {
    for (const [name, value] of new URLSearchParams(body)) add(name, value);
    return out;
  }
  for (const piece of body.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq < 0) add(piece, '');
    else add(piece.slice(0, eq), piece.slice(eq + 1));
  }
  return out;
}

function tooLarge(): OAuthError {
  return new OAuthError('invalid_request', { status: 413, description: 'request body too large' });
}

/**
 * Writes a complete answer: JSON for objects, the string as given otherwise
 * (`Content-Type` must then be among the headers). A 413 also closes the
 * connection, since the rest of the body was not read.
 */
export function sendRaw(
  response: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string | object,
): void {
  const json = typeof body !== 'string';
  const payload = json ? JSON.stringify(body) : body;
  // One object built in place (no spreads): this runs once per introspection.
  const all: Record<string, string | number> = {};
  if (json) all['Content-Type'] = 'application/json; charset=utf-8';
  for (const name of Object.keys(headers)) all[name] = headers[name] as string;
  all['Content-Length'] = Buffer.byteLength(payload);
  if (status === 413) all['Connection'] = 'close';
  response.writeHead(status, all);
  response.end(payload);
}
