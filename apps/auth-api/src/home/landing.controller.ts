import { Controller, Get, Header, Inject } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { PAGE_CSP } from '../interaction/html';
import { landingPage } from './landing-page';

/** `GET /`: a small HTML page naming the issuer and its discovery and JWKS URLs. */
@Controller()
export class LandingController {
  private readonly page: string;

  constructor(@Inject(CONFIG) config: Config) {
    this.page = landingPage(config.ISSUER);
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Cache-Control', 'public, max-age=300')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('X-Frame-Options', 'DENY')
  @Header('Referrer-Policy', 'no-referrer')
  home(): string {
    return this.page;
  }
}
