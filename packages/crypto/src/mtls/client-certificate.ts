import { X509Certificate } from 'node:crypto';
import { sha256Base64url } from '../digest';

/** A forwarded certificate longer than this is refused before parsing (a chain is not expected). */
export const MAX_CLIENT_CERTIFICATE_LENGTH = 16_384;
const PEM = /^-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/;

/**
 * RFC 8705 3.1: the `x5t#S256` of a client certificate, base64url(SHA-256 of
 * its DER), from the PEM a TLS-terminating proxy forwards (URL-encoded, as
 * nginx's `$ssl_client_escaped_cert` and Envoy's XFCC `Cert` give it).
 * Undefined when the value is not exactly one certificate.
 */
export function clientCertificateThumbprint(forwarded: string): string | undefined {
  if (forwarded.length > MAX_CLIENT_CERTIFICATE_LENGTH) return undefined;
  let pem: string;
  try {
    pem = decodeURIComponent(forwarded);
  } catch {
    return undefined;
  }
  if (!PEM.test(pem)) return undefined;
  try {
    return sha256Base64url(new X509Certificate(pem).raw);
  } catch {
    return undefined;
  }
}
