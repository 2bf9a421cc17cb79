import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '@idp/config';
import { OAuthError } from '@idp/oauth-errors';
import { ssfConfiguration, ssfConfigurationPaths } from './ssf-configuration';
import { SSF_PATHS } from './ssf-paths';

/**
 * SSF 1.0 7.2: the transmitter metadata, public and static for the life of
 * the process (like openid-configuration), at the well-known path and, for
 * an issuer with a path, at the path-inserted form too.
 */
@Controller()
export class SsfConfigurationController {
  private readonly document: Readonly<Record<string, unknown>>;
  private readonly paths: ReadonlySet<string>;

  constructor(@Inject(CONFIG) config: Config) {
    this.document = ssfConfiguration(config);
    this.paths = new Set(ssfConfigurationPaths(config));
  }

  @Get(SSF_PATHS.configuration)
  @Header('Cache-Control', 'public, max-age=300')
  configuration(): Readonly<Record<string, unknown>> {
    return this.document;
  }

  /** Only the issuer's own path: any other suffix is the 404 of a path we do not serve. */
  @Get(`${SSF_PATHS.configuration}/*`)
  @Header('Cache-Control', 'public, max-age=300')
  pathInserted(@Req() request: FastifyRequest): Readonly<Record<string, unknown>> {
    const path = request.url.split('?', 1)[0] ?? '';
    if (!this.paths.has(path))
      throw new OAuthError('invalid_request', { status: 404, description: 'not found' });
    return this.document;
  }
}
