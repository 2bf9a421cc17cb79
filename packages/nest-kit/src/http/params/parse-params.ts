import { InvalidRequest, InvalidTarget } from '@idp/oauth-errors';
import { paramRecord } from './param-record';

/** A query string or form body as Fastify gives it. */
export type RawParams = Readonly<Record<string, string | string[] | undefined>>;

/** Single-valued, non-empty parameters; read with `params['name']`. */
export type Params = Readonly<Record<string, string>>;

/** Enough for any URL or opaque value a client should send. */
export const MAX_PARAM_LENGTH = 2048;
/** JWTs and JSON that legitimately run long. */
export const MAX_LONG_PARAM_LENGTH = 8192;
export const LONG_PARAMS: ReadonlySet<string> = new Set([
  'request',
  'id_token_hint',
  'login_hint_token',
  'claims',
]);

/**
 * Turns raw parameters into single values (RFC 6749 3.1):
 * - "Parameters sent without a value MUST be treated as if they were omitted",
 *   so empty values are dropped first (`a=&a=x` is one `a`);
 * - "Request and response parameters MUST NOT be included more than once":
 *   a repeated parameter is invalid_request;
 * - values over MAX_PARAM_LENGTH (MAX_LONG_PARAM_LENGTH for LONG_PARAMS) are
 *   invalid_request, so nothing downstream (logs, the interaction store, the
 *   redirect we build) grows with what an attacker sends.
 *
 * - a name outside RFC 6749 appendix A's `1*( ALPHA / DIGIT / "-" / "." /
 *   "_" )` is not a parameter at all: refused like a repeated one, so
 *   `scope[a]` or `__proto__[admin]` is never ignored as merely unknown.
 *
 * Nothing is trusted yet, so these errors are never redirected
 * (`allowRedirect = false`): the caller shows them on its error page.
 * RFC 8707 `resource` may legitimately repeat (REPEATABLE_PARAMS): its
 * values are joined with single spaces (see `paramValue`).
 */
export function parseParams(raw: RawParams): Params {
  // paramRecord: a parameter named __proto__ or constructor is just a name.
  const out: Record<string, string> = paramRecord<string>();
  for (const name of Object.keys(raw)) {
    assertParamName(name);
    const max = LONG_PARAMS.has(name) ? MAX_LONG_PARAM_LENGTH : MAX_PARAM_LENGTH;
    const value = paramValue(name, raw[name], max);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Parameters a request may repeat: RFC 8707 2 `resource` ("may be used
 * multiple times"). Every other parameter stays single (RFC 6749 3.1).
 */
export const REPEATABLE_PARAMS: ReadonlySet<string> = new Set(['resource']);

/**
 * One parameter by parseParams' rules. A repeatable one keeps every value,
 * joined with single spaces, so `Params` stays one string per name for every
 * endpoint and RPC; the endpoint that reads it splits it again. A URI never
 * contains a literal space (RFC 3986 2), so a value with one is malformed,
 * and refusing it here keeps the join unambiguous: RFC 8707 2's
 * invalid_target, never redirected (nothing is validated yet).
 */
export function paramValue(name: string, raw: unknown, max: number): string | undefined {
  if (!REPEATABLE_PARAMS.has(name) || typeof raw === 'string' || raw === undefined)
    return checkedRepeatable(name, singleParam(name, raw, max));
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const values = list.map((v) => {
    if (typeof v !== 'string') throw reject(`parameter ${name} must be a string`);
    return checkedRepeatable(name, singleParam(name, v, max));
  });
  const present = values.filter((v): v is string => v !== undefined);
  return present.length === 0 ? undefined : present.join(' ');
}

function checkedRepeatable(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && REPEATABLE_PARAMS.has(name) && value.includes(' ')) {
    const err = new InvalidTarget(`parameter ${name} must not contain a space`);
    err.allowRedirect = false;
    throw err;
  }
  return value;
}

const PARAM_NAME = /^[A-Za-z0-9._-]+$/;

/** RFC 6749 appendix A (name-char); the name is not repeated in the error (it is untrusted). */
export function assertParamName(name: string): void {
  if (!PARAM_NAME.test(name))
    throw reject(
      'a parameter name may only contain letters, digits, hyphens, periods and underscores',
    );
}

/**
 * One parameter by parseParams' rules, with the given length limit:
 * undefined when omitted (or only sent empty), invalid_request when repeated,
 * not a string, or longer than `max`.
 */
export function singleParam(name: string, raw: unknown, max: number): string | undefined {
  let value: string | undefined;
  if (typeof raw === 'string') {
    // The usual case, without the array the general one needs.
    value = raw === '' ? undefined : raw;
  } else {
    const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    // A JSON body could carry numbers or objects; only strings are parameters.
    if (list.some((v) => typeof v !== 'string')) throw reject(`parameter ${name} must be a string`);
    const present = (list as string[]).filter((v) => v !== '');
    if (present.length > 1) throw reject(`parameter ${name} must not be repeated`);
    value = present[0];
  }
  if (value !== undefined && value.length > max) {
    throw reject(`parameter ${name} must not exceed ${max} characters`);
  }
  return value;
}

function reject(description: string): InstanceType<typeof InvalidRequest> {
  const err = new InvalidRequest(description);
  err.allowRedirect = false;
  return err;
}
