import { Controller, Get, Header } from '@nestjs/common';
import { adminOpenApiDocument } from '@idp/contracts';

/**
 * The admin API's OpenAPI 3.1 document (ADR 0017), generated from the
 * schemas the admin controllers validate with. Served without credentials:
 * it holds no secrets, a client needs it before it has a token, and the
 * admin listener is reachable only from inside the deployment.
 */
@Controller('admin')
export class AdminOpenApiController {
  /** Built at the first request, not at start-up (a restart serves sooner). */
  private document: string | undefined;

  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  openapi(): string {
    this.document ??= JSON.stringify(adminOpenApiDocument());
    return this.document;
  }
}
