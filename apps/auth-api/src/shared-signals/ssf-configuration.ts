import type { Config } from '@idp/config';
import {
  SSF_DELIVERY_POLL,
  SSF_DELIVERY_PUSH,
  SSF_MANAGE_SCOPE,
  SSF_READ_SCOPE,
} from '@idp/contracts';
import { SSF_PATHS } from './ssf-paths';

/**
 * The transmitter metadata (SSF 1.0 7.1). Only members whose endpoints are
 * served; no `critical_subject_members` (receivers may ignore any subject
 * member they do not know). `authorization_schemes`: OAuth 2.0 access tokens
 * of ours (RFC 6749), with the scopes that open the API as a member of the
 * scheme (ours: SSF 1.0 defines none for it), and DPoP-bound ones (RFC 9449).
 * `default_subjects: ALL`: a new stream gets events about every subject
 * until the receiver removes one (ADR 0035).
 */
export function ssfConfiguration(
  config: Pick<Config, 'ISSUER'>,
): Readonly<Record<string, unknown>> {
  const base = config.ISSUER.replace(/\/+$/, '');
  return {
    spec_version: '1_0',
    issuer: config.ISSUER,
    jwks_uri: `${base}/jwks`,
    delivery_methods_supported: [SSF_DELIVERY_PUSH, SSF_DELIVERY_POLL],
    configuration_endpoint: `${base}${SSF_PATHS.stream}`,
    status_endpoint: `${base}${SSF_PATHS.status}`,
    add_subject_endpoint: `${base}${SSF_PATHS.addSubject}`,
    remove_subject_endpoint: `${base}${SSF_PATHS.removeSubject}`,
    verification_endpoint: `${base}${SSF_PATHS.verify}`,
    authorization_schemes: [
      { spec_urn: 'urn:ietf:rfc:6749', scopes_supported: [SSF_MANAGE_SCOPE, SSF_READ_SCOPE] },
      { spec_urn: 'urn:ietf:rfc:9449' },
    ],
    default_subjects: 'ALL',
  };
}

/**
 * The paths the metadata is served at, relative to where auth-api is
 * mounted. SSF 1.0 7.2 inserts the well-known segment between the host and
 * the issuer's path (`https://h/.well-known/ssf-configuration/tenant` for
 * the issuer `https://h/tenant`), a request the edge proxy must route to us
 * unchanged; the appended form (`<issuer>/.well-known/ssf-configuration`,
 * the only one for an issuer without a path) is what reaches us through the
 * mount, as for openid-configuration.
 */
export function ssfConfigurationPaths(config: Pick<Config, 'ISSUER'>): readonly string[] {
  const issuerPath = new URL(config.ISSUER).pathname.replace(/\/+$/, '');
  return issuerPath === ''
    ? [SSF_PATHS.configuration]
    : [SSF_PATHS.configuration, `${SSF_PATHS.configuration}${issuerPath}`];
}
