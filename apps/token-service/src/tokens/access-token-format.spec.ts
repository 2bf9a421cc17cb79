import type { AccessTokenFormat, RegisteredResource } from '@idp/domain';
import { accessTokenFormatFor } from './access-token-format';

const resource = (accessTokenFormat?: AccessTokenFormat) =>
  ({ accessTokenFormat }) as unknown as RegisteredResource;

describe('accessTokenFormatFor', () => {
  it("keeps the client's format when the resource has no preference or is unknown", () => {
    expect(accessTokenFormatFor('jwt', undefined)).toBe('jwt');
    expect(accessTokenFormatFor('jwe', resource())).toBe('jwe');
  });

  it("lets the resource's preference win", () => {
    expect(accessTokenFormatFor('opaque', resource('jwe'))).toBe('jwe');
    expect(accessTokenFormatFor('opaque', resource('jwt'))).toBe('jwt');
    expect(accessTokenFormatFor('jwe', resource('opaque'))).toBe('opaque');
  });

  it('never turns a jwe client token into a readable jwt', () => {
    expect(accessTokenFormatFor('jwe', resource('jwt'))).toBe('jwe');
  });
});
