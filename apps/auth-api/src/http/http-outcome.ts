import type { FastifyReply } from 'fastify';
import { NO_STORE, type HttpResponse } from '@idp/oauth-errors';

/**
 * What a browser-facing handler answers, as data: the flow decides, the
 * controller sends. Keeps the authorization flow testable without a server.
 */
export interface HttpOutcome extends Omit<HttpResponse<string>, 'body'> {
  /** HTML, or nothing for a redirect. */
  readonly body?: string;
  /** Set-Cookie values, in order. */
  readonly cookies?: readonly string[];
}

/**
 * 303 See Other: the browser follows with a GET whatever the method was, so a
 * login or consent POST is never replayed to the next URL (RFC 9110 15.4.4;
 * RFC 9700 4.12 on 307 after a POST carrying credentials).
 */
export function seeOther(
  location: string,
  headers: Readonly<Record<string, string>> = {},
): HttpOutcome {
  return {
    status: 303,
    headers: { ...NO_STORE, ...headers, Location: location },
  };
}

export function withCookies(outcome: HttpOutcome, ...cookies: string[]): HttpOutcome {
  return { ...outcome, cookies: [...(outcome.cookies ?? []), ...cookies] };
}

export function send(reply: FastifyReply, outcome: HttpOutcome): FastifyReply {
  reply.status(outcome.status).headers(outcome.headers);
  if (outcome.cookies !== undefined && outcome.cookies.length > 0) {
    reply.header('Set-Cookie', [...outcome.cookies]);
  }
  return outcome.body === undefined ? reply.send() : reply.send(outcome.body);
}
