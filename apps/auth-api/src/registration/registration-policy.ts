import type { Config } from '@idp/config';

/**
 * Dynamic client registration (RFC 7591) is on exactly when an initial
 * access token is configured: open registration would let anyone create
 * clients. Discovery advertises `registration_endpoint` (`${ISSUER}/register`,
 * OIDC Discovery 3 / RFC 8414 2) only when this is true.
 */
export function registrationEnabled(config: Pick<Config, 'INITIAL_ACCESS_TOKEN'>): boolean {
  return config.INITIAL_ACCESS_TOKEN !== undefined;
}

export const REGISTRATION_PATH = '/register';
