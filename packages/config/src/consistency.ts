import type { Config } from './defaults';
import { infraInconsistencies } from './infra-consistency';

/**
 * Rules between settings, checked after each one parsed on its own: a
 * combination kafkajs or the broker would only reject at the first group
 * join (or accept and misbehave) stops the process at boot instead.
 */
export function inconsistencies(config: Config): string[] {
  const problems: string[] = [];
  if (config.KAFKA_HEARTBEAT_INTERVAL_MS >= config.KAFKA_SESSION_TIMEOUT_MS) {
    problems.push(
      `KAFKA_HEARTBEAT_INTERVAL_MS: must be below KAFKA_SESSION_TIMEOUT_MS (${config.KAFKA_SESSION_TIMEOUT_MS}), ideally a third of it`,
    );
  }
  if (config.MTLS_CLIENT_CERT_HEADER !== undefined && config.MTLS_TRUSTED_PROXIES.length === 0) {
    problems.push(
      'MTLS_CLIENT_CERT_HEADER: needs MTLS_TRUSTED_PROXIES (the proxies whose header is believed)',
    );
  }
  problems.push(...infraInconsistencies(config));
  return problems;
}
