import type { Type } from '@nestjs/common';
import type { TokenGrantType } from '@idp/domain';
import { AuthorizationCodeHandler } from './authorization-code.handler';
import { ClientCredentialsHandler } from './client-credentials.handler';
import { DeviceCodeHandler } from '../device/device-code.handler';
import type { GrantHandler } from './grant-handler';
import { RefreshTokenHandler } from './refresh-token.handler';
import { TokenExchangeHandler } from './token-exchange/token-exchange.handler';

/**
 * The grant-handler registry: one handler class per token-endpoint grant type
 * of domain's TOKEN_GRANT_TYPES. A record keyed by the grant type, so a grant
 * type without a handler (or a handler for another grant type) does not
 * compile; discovery and client validation read the same list.
 */
export const GRANT_HANDLER_CLASSES: { readonly [G in TokenGrantType]: Type<GrantHandler<G>> } = {
  authorization_code: AuthorizationCodeHandler,
  refresh_token: RefreshTokenHandler,
  client_credentials: ClientCredentialsHandler,
  'urn:ietf:params:oauth:grant-type:token-exchange': TokenExchangeHandler,
  'urn:ietf:params:oauth:grant-type:device_code': DeviceCodeHandler,
};
