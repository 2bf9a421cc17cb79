import { Controller, Get, Header, Inject } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { discoveryDocument } from './discovery-document';
import { JwksCache, type JwkSet } from './jwks-cache';

@Controller()
export class DiscoveryController {
  private readonly document: Readonly<Record<string, unknown>>;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly jwks: JwksCache,
  ) {
    this.document = discoveryDocument(config);
  }

  /** OIDC Discovery 4: static for the life of the process, so caches may keep it a few minutes. */
  @Get('.well-known/openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  configuration(): Readonly<Record<string, unknown>> {
    return this.document;
  }

  /**
   * RFC 7517 5 / RFC 7517 8.5.1 media type. A short max-age: after a key
   * rotation, verifiers should see the new key within a minute.
   */
  @Get('jwks')
  @Header('Content-Type', 'application/jwk-set+json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=60')
  keys(): Promise<JwkSet> {
    return this.jwks.get();
  }
}
