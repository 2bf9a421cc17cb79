import { Metadata, status, type ServiceError, type ServerErrorResponse } from '@grpc/grpc-js';
import { type OAuthError, ServerError, fromWire, type WireOAuthError } from '@idp/oauth-errors';
import type { RpcLogger } from './logger';
import { ERROR_METADATA, parseWireError, unavailable } from './wire';

/**
 * The gRPC code is for proxies, dashboards and grpcurl; the OAuth error
 * itself travels whole in the trailers, so the mapping may be coarse.
 */
function codeFor(httpStatus: number): status {
  switch (httpStatus) {
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.NOT_FOUND;
    case 503:
      return status.UNAVAILABLE;
    default:
      return httpStatus < 500 ? status.INVALID_ARGUMENT : status.INTERNAL;
  }
}

/** Server side: an OAuth error as gRPC status + `x-oauth-error-bin` trailer. */
export function toGrpcError(wire: WireOAuthError): ServerErrorResponse {
  const metadata = new Metadata();
  metadata.set(ERROR_METADATA, Buffer.from(JSON.stringify(wire), 'utf8'));
  // details carries the code only: descriptions belong to the OAuth error, not to proxy logs.
  return Object.assign(new Error(wire.error), {
    code: codeFor(wire.status),
    details: wire.error,
    metadata,
  });
}

/** Codes a peer or the channel gives when nobody could answer: retrying may help. */
const TRANSIENT = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.CANCELLED,
  status.RESOURCE_EXHAUSTED,
]);

/** Client side: never lets a raw gRPC error out; always an OAuthError. */
export function fromGrpcError(
  err: ServiceError,
  log: { path: string; correlationId: string },
  logger: RpcLogger,
): OAuthError {
  const [raw] = err.metadata?.get(ERROR_METADATA) ?? [];
  if (raw !== undefined) {
    const wire = parseWireError(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw);
    if (wire) return fromWire(wire);
  }
  if (TRANSIENT.has(err.code)) {
    logger.warn('rpc peer unavailable', { ...log, code: err.code, details: err.details });
    return unavailable(
      err.code === status.DEADLINE_EXCEEDED
        ? 'upstream service did not answer in time'
        : 'upstream service is unavailable',
    );
  }
  // UNIMPLEMENTED: a client newer than its server (roll servers out first); else a peer bug.
  logger.error('rpc failed without an OAuth error', {
    ...log,
    code: err.code,
    details: err.details,
  });
  return new ServerError(err);
}
