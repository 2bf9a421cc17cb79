import type { Config } from '@idp/config';
import { outboundPolicy, type OutboundPolicy } from '@idp/domain';
import { createOutboundClient, type OutboundClient } from './outbound-client';

/** The policy the settings describe: OUTBOUND_ALLOW, and loopback when ISSUER is loopback. */
export function outboundPolicyOf(
  config: Pick<Config, 'ISSUER' | 'OUTBOUND_ALLOW'>,
): OutboundPolicy {
  return outboundPolicy({ allow: config.OUTBOUND_ALLOW, issuer: config.ISSUER });
}

export type OutboundSettings = Pick<
  Config,
  | 'ISSUER'
  | 'OUTBOUND_ALLOW'
  | 'OUTBOUND_TIMEOUT_MS'
  | 'OUTBOUND_CONNECT_TIMEOUT_MS'
  | 'OUTBOUND_MAX_RESPONSE_BYTES'
>;

/** A client as configured; `timeoutMs` overrides OUTBOUND_TIMEOUT_MS (back-channel logout has its own). */
export function outboundClientOf(
  config: OutboundSettings,
  overrides: { readonly timeoutMs?: number } = {},
): OutboundClient {
  return createOutboundClient({
    policy: outboundPolicyOf(config),
    timeoutMs: overrides.timeoutMs ?? config.OUTBOUND_TIMEOUT_MS,
    connectTimeoutMs: config.OUTBOUND_CONNECT_TIMEOUT_MS,
    maxResponseBytes: config.OUTBOUND_MAX_RESPONSE_BYTES,
  });
}
