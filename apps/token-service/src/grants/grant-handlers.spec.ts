import type { Config } from '@idp/config';
import { SUPPORTED_GRANT_TYPES, TOKEN_GRANT_TYPES, type TokenGrantType } from '@idp/domain';
import type { ClientAuthenticator } from '../clients/client-authenticator';
import type { GrantHandler } from './grant-handler';
import { GRANT_HANDLER_CLASSES } from './grant-handlers';
import { TokenEndpoint } from './token-endpoint.service';

const handler = (grantType: TokenGrantType): GrantHandler => ({
  grantType,
  requiredParams: [],
  handle: () => Promise.reject(new Error('not called')),
});
const endpoint = (handlers: GrantHandler[]) =>
  new TokenEndpoint(handlers, {} as Config, {} as ClientAuthenticator);

describe('the grant-handler registry and the supported grant types', () => {
  it('registers one handler class for every token-endpoint grant type', () => {
    expect(Object.keys(GRANT_HANDLER_CLASSES).sort()).toEqual([...TOKEN_GRANT_TYPES].sort());
  });

  it('supports the token-endpoint grant types and implicit, nothing else', () => {
    expect([...SUPPORTED_GRANT_TYPES].sort()).toEqual([...TOKEN_GRANT_TYPES, 'implicit'].sort());
  });

  it('starts the token endpoint with exactly one handler per grant type', () => {
    expect(() => endpoint(TOKEN_GRANT_TYPES.map(handler))).not.toThrow();
  });

  it('refuses to start with a grant type missing or served twice', () => {
    const [first, ...rest] = TOKEN_GRANT_TYPES;
    expect(() => endpoint(rest.map(handler))).toThrow(/must match TOKEN_GRANT_TYPES/);
    expect(() => endpoint([...TOKEN_GRANT_TYPES, first].map(handler))).toThrow(
      /must match TOKEN_GRANT_TYPES/,
    );
  });
});
