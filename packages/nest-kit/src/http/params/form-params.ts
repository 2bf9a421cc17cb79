import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '@idp/oauth-errors';
import { FORM_CONTENT_TYPE } from './body-policy';
import {
  assertParamName,
  LONG_PARAMS,
  MAX_LONG_PARAM_LENGTH,
  MAX_PARAM_LENGTH,
  paramValue,
  type Params,
  type RawParams,
} from './parse-params';
import { paramRecord } from './param-record';

/** Whether the body is a form (parameters such as `charset` are ignored; media types are case-insensitive). */
export function isForm(request: Pick<FastifyRequest, 'headers'>): boolean {
  const type = request.headers['content-type'];
  if (type === FORM_CONTENT_TYPE) return true; // what nearly every client sends, checked first
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
  // paramRecord: a parameter named __proto__ or constructor is just a name.
  const out: Record<string, string> = paramRecord<string>();
  for (const name of Object.keys(body)) {
    assertParamName(name);
    const max = Object.hasOwn(long, name)
      ? (long[name] as number)
      : LONG_PARAMS.has(name)
        ? MAX_LONG_PARAM_LENGTH
        : MAX_PARAM_LENGTH;
    const value = paramValue(name, body[name], max);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Like parseParams' errors: nothing is validated yet, so never sent to a redirect_uri. */
function invalid(description: string): InstanceType<typeof InvalidRequest> {
  const err = new InvalidRequest(description);
  err.allowRedirect = false;
  return err;
}
