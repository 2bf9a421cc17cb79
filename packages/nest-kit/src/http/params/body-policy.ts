import type { IncomingHttpHeaders } from 'node:http';
import { InvalidRequest, OAuthError } from '@idp/oauth-errors';
import type { RawParams } from './parse-params';
import { paramRecord } from './param-record';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** OAuth requests are small: a few parameters, a JWT at most (every app's body limit). */
export const FORM_BODY_LIMIT = 64 * 1024;

/**
 * What one form endpoint accepts. Every endpoint that takes
 * application/x-www-form-urlencoded, whether served by Nest or straight
 * from node:http (/introspect), applies the same rules through
 * `checkFormRequest` and `decodeFormBody`, so a bad body gets the same
 * answer everywhere.
 */
export interface FormPolicy {
  /** A POST may come without a body (RFC 6750 2.1: userinfo with the Authorization header). */
  readonly bodyOptional?: boolean;
  /**
   * Parameters in the query of the POST are refused: RFC 6749 3.2 (token),
   * RFC 7009 2.1 and RFC 7662 2.1 send them in the body, and credentials in
   * a URL end up in logs.
   */
  readonly refuseQuery?: boolean;
  /** Bytes; FORM_BODY_LIMIT by default. */
  readonly limit?: number;
}

/**
 * The token, revocation and introspection endpoints' form: RFC 6749 3.2,
 * RFC 7009 2.1 and RFC 7662 2.1 put the parameters in the body, none in the
 * query, within the common limit.
 */
export const BODY_ONLY_FORM: FormPolicy = { refuseQuery: true, limit: FORM_BODY_LIMIT };

const UTF8 = /^"?utf-8"?$/i;

/**
 * What can be decided from the request line and headers, before a byte of
 * the body is read: the media type (a form, else 415), its charset (UTF-8
 * or none: RFC 6749 appendix B), the declared size (413), parameters in
 * the query (when refused), and that the query is valid percent-encoded
 * UTF-8. Throws the OAuthError to answer; never redirected.
 */
export function checkFormRequest(
  url: string,
  headers: IncomingHttpHeaders,
  policy: FormPolicy,
): void {
  checkQuery(url, policy.refuseQuery === true);
  const type = headers['content-type'];
  if (type === undefined) {
    if (hasBody(headers)) throw unsupported();
    if (policy.bodyOptional) return;
    throw reject(400, `the request body must be ${FORM_CONTENT_TYPE}`);
  }
  if (type !== FORM_CONTENT_TYPE) {
    const [media, ...parameters] = type.split(';');
    if (media?.trim().toLowerCase() !== FORM_CONTENT_TYPE) throw unsupported();
    for (const parameter of parameters) {
      const eq = parameter.indexOf('=');
      const name = parameter
        .slice(0, eq < 0 ? undefined : eq)
        .trim()
        .toLowerCase();
      if (name === 'charset' && !UTF8.test(parameter.slice(eq + 1).trim()))
        throw reject(400, 'the form must be encoded in UTF-8 (charset=utf-8, or no charset)');
    }
  }
  if (Number(headers['content-length'] ?? 0) > (policy.limit ?? FORM_BODY_LIMIT)) throw tooLarge();
}

/** Whether the request carries a body (a declared length above 0, or a chunked one). */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * The query must decode as UTF-8 (a `%C0%AF` would otherwise pass through
 * undecoded, or as U+FFFD, and slip past the checks on what a value may
 * contain); a POST whose policy refuses query parameters must have none.
 */
export function checkQuery(url: string, refuse = false): void {
  const q = url.indexOf('?');
  if (q < 0 || q === url.length - 1) return;
  if (refuse)
    throw reject(400, 'parameters must be sent in the request body, not in the query string');
  const query = url.slice(q + 1);
  if (query.includes('%') && !decodesAsUtf8(query))
    throw reject(400, 'the query string is not valid percent-encoded UTF-8');
}

/**
 * The parameters of a form body, decoded the WHATWG way ('+' is a space);
 * a repeated name becomes an array (parseParams refuses it). The bytes must
 * be UTF-8 and every %-escape must decode to UTF-8: a body that is not is
 * refused (400) rather than decoded leniently into something else.
 */
export function decodeFormBody(bytes: Buffer): RawParams {
  let body: string;
  try {
    body = STRICT_UTF8.decode(bytes);
  } catch {
    throw reject(400, 'the form is not valid UTF-8');
  }
  const out: Record<string, string | string[]> = paramRecord<string | string[]>();
  const add = (name: string, value: string) => {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  };
  const plain = !body.includes('%') && !body.includes('+');
  for (const piece of body.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
    // Nothing encoded (introspection's usual body: a base64url token and plain names): as is.
    if (plain) add(rawName, rawValue);
    else add(formDecode(rawName), formDecode(rawValue));
  }
  return out;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function formDecode(component: string): string {
  const spaced = component.includes('+') ? component.replace(/\+/g, ' ') : component;
  if (!spaced.includes('%')) return spaced;
  const decoded = percentDecode(spaced);
  if (decoded === undefined) throw reject(400, 'the form is not valid percent-encoded UTF-8');
  return decoded;
}

function decodesAsUtf8(query: string): boolean {
  return percentDecode(query) !== undefined;
}

const isHex = (b: number | undefined) =>
  b !== undefined &&
  ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));

/**
 * WHATWG percent-decoding (a `%` not followed by two hex digits stays as it
 * is, as browsers send it), except that the bytes must then be UTF-8:
 * undefined when they are not (`%C0%AF`, a lone `%FF`).
 */
function percentDecode(text: string): string | undefined {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x25 && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out[n++] = parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16);
      i += 2;
    } else out[n++] = b;
  }
  try {
    return STRICT_UTF8.decode(out.subarray(0, n));
  } catch {
    return undefined;
  }
}

function unsupported(): OAuthError {
  return reject(415, `unsupported content type: the request body must be ${FORM_CONTENT_TYPE}`);
}

export function tooLarge(): OAuthError {
  return reject(413, 'request body too large');
}

/** Nothing is validated yet: these errors are never sent to a redirect_uri. */
function reject(status: number, description: string): OAuthError {
  const err =
    status === 400
      ? new InvalidRequest(description)
      : new OAuthError('invalid_request', { status, description });
  err.allowRedirect = false;
  return err;
}
