import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CONFIG, type Config } from '@idp/config';
import { clientCertificateThumbprint, constantTimeEqual } from '@idp/crypto';
import { InvalidRequest, InvalidToken } from '@idp/oauth-errors';

/** `::ffff:10.0.0.7` (an IPv4 peer on a dual-stack socket) is `10.0.0.7`. */
const unmapped = (address: string): string => address.replace(/^::ffff:(?=\d+\.)/i, '');

/**
 * The client certificate of a request (RFC 8705) behind a TLS-terminating
 * proxy: the proxy verifies the TLS handshake and forwards the certificate
 * in MTLS_CLIENT_CERT_HEADER. The header is believed only when the TCP peer
 * is one of MTLS_TRUSTED_PROXIES; from anyone else it is ignored, since any
 * client can send it. What goes on is the certificate's `x5t#S256`.
 */
@Injectable()
export class ClientCertificates {
  /** Whether certificate binding is configured (and advertised in discovery). */
  readonly enabled: boolean;
  private readonly header: string | undefined;
  private readonly proxies: ReadonlySet<string>;

  constructor(@Inject(CONFIG) config: Config) {
    this.header = config.MTLS_CLIENT_CERT_HEADER;
    this.proxies = new Set(config.MTLS_TRUSTED_PROXIES.map(unmapped));
    this.enabled = this.header !== undefined && this.proxies.size > 0;
  }

  /** The forwarded certificate's thumbprint, or undefined when there is none to believe. */
  thumbprintOf(request: Pick<IncomingMessage, 'socket' | 'headers'>): string | undefined {
    if (!this.enabled || this.header === undefined) return undefined;
    const peer = request.socket.remoteAddress;
    if (peer === undefined || !this.proxies.has(unmapped(peer))) return undefined;
    const value = request.headers[this.header];
    if (value === undefined || value === '') return undefined;
    const thumbprint = typeof value === 'string' ? clientCertificateThumbprint(value) : undefined;
    if (thumbprint === undefined)
      throw new InvalidRequest('the client certificate forwarded by the proxy cannot be read');
    return thumbprint;
  }

  /**
   * RFC 8705 3: an access token bound to a certificate (`cnf` `x5t#S256`) is
   * good only with that certificate, so a stolen one is worthless without the
   * private key; an unbound token passes. Every resource that takes our access
   * tokens as credentials asks this one question.
   */
  assertBoundCertificate(
    cnf: Readonly<Record<string, unknown>> | undefined,
    request: Pick<IncomingMessage, 'socket' | 'headers'>,
  ): void {
    const bound = cnf?.['x5t#S256'];
    if (bound === undefined) return;
    const presented = this.thumbprintOf(request);
    if (
      typeof bound !== 'string' ||
      presented === undefined ||
      !constantTimeEqual(bound, presented)
    )
      throw new InvalidToken('the access token is bound to a client certificate not presented');
  }
}
