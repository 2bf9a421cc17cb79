import { DomainRuleError } from '@idp/domain';
import { OAuthError } from '@idp/oauth-errors';

/**
 * The stream-management API's errors (SSF 1.0 8.1.1.x): auth-api answers
 * them with the status they carry. A stream of another receiver is 404 like
 * a missing one, so stream ids cannot be probed.
 */
const STATUS_BY_RULE: Readonly<Record<string, number>> = {
  'ssf.not_found': 404,
  'ssf.invalid_request': 400,
  'ssf.invalid_subject': 400,
  'ssf.too_many_subjects': 400,
  'ssf.exists': 409,
  'ssf.too_many_streams': 409,
};

export const streamNotFound = (): OAuthError =>
  new OAuthError('invalid_request', { status: 404, description: 'no such stream' });

export function asSsfError(err: unknown): unknown {
  if (!(err instanceof DomainRuleError)) return err;
  const status = STATUS_BY_RULE[err.code];
  return status === undefined
    ? err
    : new OAuthError('invalid_request', { status, description: err.message });
}

export async function ssfErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asSsfError(err);
  }
}
