import { ServerError } from './errors';
import type { HttpResponse } from './http-response';
import { NO_STORE } from './no-store';
import { OAuthError, type OAuthErrorCode } from './oauth-error';
import { isStorageFault, StorageUnavailable } from './storage-faults';

export interface RenderedError extends HttpResponse<{
  error: OAuthErrorCode;
  error_description?: string;
}> {
  /** The original failure, for the log line only. */
  readonly cause: unknown;
}

/**
 * What any failure is as an OAuth error: OAuthErrors as they are, a storage
 * fault (a lost database connection, a busy database) as 503
 * temporarily_unavailable, anything else as server_error.
 */
export function asOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  return isStorageFault(err) ? new StorageUnavailable(err) : new ServerError(err);
}

/**
 * The one place an error becomes a response (node-oidc-provider's err_out):
 * OAuthErrors render as themselves, storage faults as temporarily_unavailable;
 * anything else becomes server_error with a generic description, so no stack
 * trace or internal message ever leaks.
 */
export function renderOAuthError(err: unknown): RenderedError {
  const e = asOAuthError(err);
  const body = e.expose ? e.toJSON() : new ServerError().toJSON();
  return {
    status: e.status,
    headers: { ...NO_STORE, ...e.headers },
    body,
    cause: e.cause ?? (err instanceof OAuthError ? undefined : err),
  };
}

/** Errors cross RPC as plain data and come back as the same class of error. */
export interface WireOAuthError {
  error: OAuthErrorCode;
  error_description?: string;
  status: number;
  headers?: Record<string, string>;
}

export function toWire(err: unknown): WireOAuthError {
  const r = renderOAuthError(err);
  return { ...r.body, status: r.status, headers: { ...r.headers } };
}

export function fromWire(w: WireOAuthError): OAuthError {
  return new OAuthError(w.error, {
    status: w.status,
    ...(w.error_description === undefined ? {} : { description: w.error_description }),
    ...(w.headers ? { headers: w.headers } : {}),
  });
}
