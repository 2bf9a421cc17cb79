import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { hostProblem, type OutboundPolicy } from '@idp/domain';
import { LRUCache } from 'lru-cache';
import { guardedLookup, type Resolver } from './guarded-lookup';
import { OutboundError } from './outbound-error';

export interface OutboundClientOptions {
  readonly policy: OutboundPolicy;
  /** Whole exchange: connect, response, body (a request may set its own). */
  readonly timeoutMs: number;
  /** Opening the connection, TCP and TLS. */
  readonly connectTimeoutMs: number;
  /** Largest response body read; a larger one fails the call. */
  readonly maxResponseBytes: number;
  /** Idle connections kept per origin (default 8). */
  readonly idleSocketsPerOrigin?: number;
  /** Tests answer names with this; default dns.lookup. */
  readonly resolve?: Resolver;
  /** How long resolved addresses are reused (re-checked on every use). */
  readonly dnsCacheMs?: number;
}

export interface OutboundRequest {
  readonly method?: 'GET' | 'POST';
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string;
  readonly timeoutMs?: number;
  /** Read and count the body but keep none of it (the status is the answer). */
  readonly discardBody?: boolean;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Empty with discardBody. */
  readonly body: Buffer;
}

/** The only way this service calls a URL it did not choose (an RP's). */
export interface OutboundClient {
  /** Resolves for any non-3xx status; rejects with an {@link OutboundError}. */
  request(url: string, init?: OutboundRequest): Promise<OutboundResponse>;
  close(): void;
}

const EMPTY = Buffer.alloc(0);

function failureOf(err: unknown): OutboundError {
  if (err instanceof OutboundError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return new OutboundError('network', code);
  return new OutboundError(
    'network',
    err instanceof Error ? err.message.slice(0, 200) : 'request failed',
  );
}

/**
 * Outbound HTTP with the server-side request forgery guard (docs/security.md):
 * the URL's host is checked against the policy (literal addresses and known
 * internal names), every name is resolved through {@link guardedLookup} so
 * the connection goes only to a checked address, redirects are failures,
 * and every call has a connect deadline, a total deadline and a body cap.
 *
 * node:http with keep-alive agents rather than fetch: a back-channel fan-out
 * is thousands of small POSTs, and undici's fetch cost about a millisecond of
 * CPU each (ADR 0011). No cap on sockets per origin: callers bound their own
 * concurrency, and RPs sharing a host must not queue behind a hanging one.
 */
export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  const lookup = guardedLookup({
    policy: options.policy,
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.dnsCacheMs === undefined ? {} : { cacheMs: options.dnsCacheMs }),
  });
  const agentOptions = {
    keepAlive: true,
    maxSockets: Infinity,
    maxFreeSockets: options.idleSocketsPerOrigin ?? 8,
    lookup,
  };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  // The policy is fixed for the client's life, so a host's verdict is too: a
  // fan-out asks about the same few hosts thousands of times.
  // lru-cache's memo: `''` stands for "no problem" (it stores no undefined).
  const verdicts = new LRUCache<string, string>({
    max: 1000,
    memoMethod: (host) => hostProblem(options.policy, host) ?? '',
  });
  const problemOf = (host: string) => verdicts.memo(host) || undefined;

  const request = (uri: string, init: OutboundRequest = {}) =>
    new Promise<OutboundResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        reject(new OutboundError('invalid_url', 'not an absolute URL'));
        return;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        reject(new OutboundError('invalid_url', `${url.protocol} is not http or https`));
        return;
      }
      // Literal addresses never reach the lookup; names are checked there again, resolved.
      const problem = problemOf(url.hostname);
      if (problem) {
        reject(new OutboundError('refused', problem));
        return;
      }
      const secure = url.protocol === 'https:';
      const timeoutMs = init.timeoutMs ?? options.timeoutMs;
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const finish = (err: OutboundError | undefined, response?: OutboundResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(connectTimer);
        if (err) reject(err);
        else resolve(response!);
      };
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: init.method ?? 'GET',
          agent: secure ? agents.https : agents.http,
          headers: init.headers,
        },
        (res: IncomingMessage) => onResponse(res),
      );
      const abort = (err: OutboundError) => {
        finish(err);
        req.destroy();
      };
      const deadline = setTimeout(
        () => abort(new OutboundError('timeout', `timeout after ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return; // a kept-alive connection
        connectTimer = setTimeout(
          () =>
            abort(
              new OutboundError('timeout', `connect timeout after ${options.connectTimeoutMs} ms`),
            ),
          options.connectTimeoutMs,
        );
        socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      req.on('error', (err) => finish(failureOf(err)));

      const onResponse = (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const max = options.maxResponseBytes;
        const tooLarge = () =>
          abort(new OutboundError('too_large', `response larger than ${max} bytes`));
        // res.headers is built lazily, and a fan-out discards bodies: only
        // read it when the body is kept (a discarded one is counted anyway).
        if (!init.discardBody && Number(res.headers['content-length'] ?? 0) > max) {
          tooLarge();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) tooLarge();
          else if (!init.discardBody) chunks.push(chunk);
        });
        res.on('error', (err) => finish(failureOf(err)));
        res.on('end', () => {
          // Read to the end either way, so the connection can be reused.
          if (status >= 300 && status < 400)
            finish(new OutboundError('redirect', `HTTP ${status} (redirects are not followed)`));
          else
            finish(undefined, {
              status,
              get headers() {
                return res.headers;
              },
              body: chunks.length === 0 ? EMPTY : Buffer.concat(chunks),
            });
        });
      };

      req.end(init.body);
    });

  return {
    request,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
