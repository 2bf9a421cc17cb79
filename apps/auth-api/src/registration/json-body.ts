import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '@idp/oauth-errors';

/** What JSON.parse yields: the body is JSON by construction (Fastify's parser). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Media types are case-insensitive and may carry parameters (RFC 9110 8.3.1). */
export function isJson(request: Pick<FastifyRequest, 'headers'>): boolean {
  const type = request.headers['content-type'];
  return type?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * The JSON object body of a registration or admin request (RFC 7591 3.1:
 * "application/json"). Another content type, or JSON that is not an object,
 * is 400 invalid_request. (A media type Fastify has no parser for never gets
 * here: Fastify answers 415, which the error filter renders as invalid_request.)
 */
export function jsonObjectBody(request: Pick<FastifyRequest, 'headers' | 'body'>): JsonObject {
  if (!isJson(request)) throw new InvalidRequest('the request body must be application/json');
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequest('the request body must be a JSON object');
  return body as JsonObject;
}
