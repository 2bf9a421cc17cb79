import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { outboundClientOf, type OutboundClient, type OutboundRequest } from '@idp/outbound';

/**
 * token-service's guarded outbound client (docs/security.md): every URL it
 * calls on a client's behalf (jwks_uri) goes through it. Closed with the app,
 * so kept-alive connections do not outlive it.
 */
@Injectable()
export class TokenServiceOutbound implements OnApplicationShutdown {
  private readonly client: OutboundClient;

  constructor(@Inject(CONFIG) config: Config) {
    this.client = outboundClientOf(config);
  }

  request(url: string, init?: OutboundRequest) {
    return this.client.request(url, init);
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}
