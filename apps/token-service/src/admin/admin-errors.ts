import { DomainRuleError } from '@idp/domain';
import { OAuthError } from '@idp/oauth-errors';

/**
 * The admin API answers in the OAuth error shape (RFC 6749 5.2 JSON) with
 * the HTTP status an operator's tooling expects. OAuth has no code for
 * "not found" or "conflict", so both are invalid_request with 404 / 409;
 * the status crosses the RPC boundary with the error.
 */
export const notFound = (description: string): OAuthError =>
  new OAuthError('invalid_request', { status: 404, description });

export const conflict = (description: string): OAuthError =>
  new OAuthError('invalid_request', { status: 409, description });

const STATUS_BY_RULE: Readonly<Record<string, number>> = {
  'client.not_found': 404,
  'user.not_found': 404,
  'user.exists': 409,
  'user.username_taken': 409,
  'user.invalid_claims': 400,
};

/** A decider's refusal as the admin API shows it; anything else passes through unchanged. */
export function asAdminError(err: unknown): unknown {
  if (!(err instanceof DomainRuleError)) return err;
  const status = STATUS_BY_RULE[err.code];
  return status === undefined
    ? err
    : new OAuthError('invalid_request', { status, description: err.message });
}

export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asAdminError(err);
  }
}
