import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { NO_STORE } from '@idp/oauth-errors';
import { RouteTimer } from '../metrics/http-metrics';
import { observeRequest, pendingRequestId } from './access-log';
import {
  checkFormRequest,
  decodeFormBody,
  FORM_BODY_LIMIT,
  hasBody,
  tooLarge,
  type FormPolicy,
} from './params/body-policy';
import type { RawParams } from './params/parse-params';

/**
 * A handler that owns the request and must answer it (it never falls
 * through), through `sendRaw`: that is what writes the answer's `X-Request-Id`.
 */
export type RawHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface RawRoute {
  readonly method: 'POST';
  /** The exact path, with or without a query string (the handler decides about it). */
  readonly path: string;
  readonly handle: RawHandler;
}

/**
 * Serves one route straight from node:http, ahead of Fastify and Nest, on the
 * server they already listen with; every other request goes to them
 * unchanged (another method on the route's path is a 405 with `Allow`).
 * For the one endpoint whose cost is the product (introspection):
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
  // The framework's metrics hook never sees these requests: the access log's listener records them.
  const timer = new RouteTimer(route.path);
  const refuse: RawHandler = (_request, response) => methodNotAllowed(response, route.method);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '';
    if (url === route.path || url.startsWith(prefix)) {
      const handle = request.method === route.method ? route.handle : refuse;
      observeRequest(request, response, handle, {
        route: route.path,
        timer,
        answeredBySendRaw: true,
      });
      return;
    }
    for (const listener of framework) listener.call(server, request, response);
  });
}

/**
 * The body of a form POST as raw parameters, decoded by `decodeFormBody`
 * (the decoder every form endpoint uses: a repeated name becomes an array,
 * which `parseParams` refuses; invalid UTF-8 is refused). Bodies over
 * `limit` bytes are refused with 413 without being buffered. Call
 * `checkFormRequest` first: this reads whatever body it is given.
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
      try {
        resolve(decodeFormBody(Buffer.concat(chunks, size)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Marks a refusal whose answer must close the connection (see `readFormRequest`). */
const CLOSE_CONNECTION = Symbol('idp.closeConnection');

/** Whether the answer to this error must carry `Connection: close` (`readFormRequest`). */
export function closesConnection(err: unknown): boolean {
  return typeof err === 'object' && err !== null && CLOSE_CONNECTION in err;
}

function closing(err: unknown): unknown {
  if (typeof err === 'object' && err !== null)
    Object.defineProperty(err, CLOSE_CONNECTION, { value: true });
  return err;
}

/**
 * The body of a form POST on a raw route, refused exactly as the framework
 * refuses it on a Nest route with `@FormBody(policy)` (FormBodySupport):
 * the policy first (`checkFormRequest`: 415, 413, 400), then the body
 * (413 past the limit, 400 when it does not decode). The errors thrown say
 * through `closesConnection` whether the answer closes the connection, as
 * Fastify's would: a refusal before the body was read, when one was sent,
 * and every failure while reading or decoding it.
 */
export async function readFormRequest(
  request: IncomingMessage,
  policy: FormPolicy,
): Promise<RawParams> {
  try {
    checkFormRequest(request.url ?? '', request.headers, policy);
  } catch (err) {
    throw hasBody(request.headers) ? closing(err) : err;
  }
  try {
    return await readFormBody(request, policy.limit ?? FORM_BODY_LIMIT);
  } catch (err) {
    throw closing(err);
  }
}

/** RFC 9110 15.5.6: 405 names the methods the resource has (the OAuth error shape, as elsewhere). */
function methodNotAllowed(response: ServerResponse, allowed: string): void {
  sendRaw(
    response,
    405,
    { Allow: allowed, ...NO_STORE },
    { error: 'invalid_request', error_description: 'method not allowed' },
  );
}

/**
 * Writes a complete answer: JSON for objects, the string as given otherwise
 * (`Content-Type` must then be among the headers). A 413 also closes the
 * connection, since the rest of the body was not read. On a raw route, the
 * request's `X-Request-Id` goes in the same `writeHead`.
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
  const requestId = pendingRequestId(response);
  if (requestId !== undefined) all['X-Request-Id'] = requestId;
  response.writeHead(status, all);
  response.end(payload);
}
