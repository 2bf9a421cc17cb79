import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '@idp/oauth-errors';
import { parseParams, type Params, type RawParams } from './parse-params';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Whether the body is a form (parameters such as `charset` are ignored; media types are case-insensitive). */
export function isForm(request: Pick<FastifyRequest, 'headers'>): boolean {
  const type = request.headers['content-type'];
  return type !== undefined && type.split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE;
}

/**
 * The parameters of a form body (RFC 6749 3.2 and 4.1.3, RFC 6750 2.2, OIDC
 * Core 3.1.2.1 for POST /authorize): the content type must be
 * application/x-www-form-urlencoded, and every parameter is single-valued
 * (`parseParams`). `long` raises the length limit of parameters that
 * legitimately carry a JWT (client_assertion, a JWT access_token).
 */
export function formParams(
  request: Pick<FastifyRequest, 'headers' | 'body'>,
  long: Readonly<Record<string, number>> = {},
): Params {
  if (!isForm(request)) throw invalid(`the request body must be ${FORM_CONTENT_TYPE}`);
  const body = (request.body ?? {}) as RawParams;
  const short: Record<string, RawParams[string]> = {};
  for (const name of Object.keys(body)) {
    if (!Object.hasOwn(long, name)) short[name] = body[name];
  }
  const out: Record<string, string> = { ...parseParams(short) };
  for (const [name, max] of Object.entries(long)) {
    const value = longValue(name, body[name], max);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The same rules as parseParams (empty = omitted, no repeats, strings only), with its own limit. */
function longValue(name: string, raw: unknown, max: number): string | undefined {
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as unknown[];
  if (values.some((v) => typeof v !== 'string'))
    throw invalid(`parameter ${name} must be a string`);
  const present = (values as string[]).filter((v) => v !== '');
  if (present.length > 1) throw invalid(`parameter ${name} must not be repeated`);
  const value = present[0];
  if (value !== undefined && value.length > max) {
    throw invalid(`parameter ${name} must not exceed ${max} characters`);
  }
  return value;
}

/** Like parseParams' errors: nothing is validated yet, so never sent to a redirect_uri. */
function invalid(description: string): InstanceType<typeof InvalidRequest> {
  const err = new InvalidRequest(description);
  err.allowRedirect = false;
  return err;
}
