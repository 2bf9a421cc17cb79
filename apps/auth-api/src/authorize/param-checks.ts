import { InvalidRequest, OAuthError } from '@idp/oauth-errors';
import type { Params } from '@idp/nest-kit';
import { PROMPTS, type Prompt } from './types';

/**
 * OIDC Core 3.1.2.6: say what is unsupported rather than ignore it. By the
 * time parameters are validated, RequestObjectResolver has replaced a
 * request object (`request`, or a registered `request_uri`) by its
 * parameters, and /authorize has redeemed a pushed authorization request's
 * request_uri (RFC 9126) before validating; what is left is a request_uri
 * no step resolved (POST /par refuses one before validation) or a caller
 * that skipped the resolver.
 */
export function checkUnsupported(params: Params): void {
  if (params['request_uri'] !== undefined) {
    throw new OAuthError('request_uri_not_supported', {
      description: 'this request_uri was not resolved',
    });
  }
  if (params['request'] !== undefined) {
    throw new OAuthError('invalid_request_object', {
      description: 'the request object was not resolved',
    });
  }
  if (params['registration'] !== undefined) {
    throw new OAuthError('registration_not_supported', {
      description: 'the registration parameter is not supported',
    });
  }
}

/**
 * RFC 6749 A.5: state = 1*VSCHAR (printable ASCII, %x20-7E). A state we could
 * not echo back unchanged must not reach the client's redirect_uri (it is the
 * client's CSRF binding), so the error is shown on our page, not redirected.
 */
export function checkState(raw: string | undefined): string | undefined {
  if (raw === undefined || /^[\x20-\x7e]+$/.test(raw)) return raw;
  const err = new InvalidRequest('state must contain printable ASCII characters only');
  err.allowRedirect = false;
  throw err;
}

/** OIDC Core 3.1.2.1: "If this parameter contains none with any other value, an error is returned." */
export function checkPrompt(raw: string | undefined): Prompt[] {
  const values = list(raw);
  if (values.some((v) => !(PROMPTS as readonly string[]).includes(v))) {
    throw new InvalidRequest('unsupported prompt value');
  }
  if (values.includes('none') && values.length > 1) {
    throw new InvalidRequest('prompt none must not be combined with other values');
  }
  return values as Prompt[];
}

export function checkMaxAge(raw: string | undefined): { max_age?: number } {
  if (raw === undefined) return {};
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new InvalidRequest('max_age must be a non-negative integer');
  }
  return { max_age: n };
}

/** A space-delimited parameter as unique values in order (RFC 6749 3.3 syntax). */
export function list(raw: string | undefined): string[] {
  return raw === undefined ? [] : [...new Set(raw.split(' ').filter((v) => v !== ''))];
}
