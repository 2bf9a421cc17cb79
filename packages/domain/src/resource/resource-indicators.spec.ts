import { OAuthError } from '@idp/oauth-errors';
import {
  authorizationResources,
  splitResources,
  tokenRequestResource,
  tokenTargets,
} from './resource-indicators';

const A = 'https://a.example';
const B = 'https://b.example/api';
const C = 'urn:example:c';
const CLIENT = [A, B, C];

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e instanceof OAuthError ? e.toJSON() : e;
  }
  return 'nothing thrown';
}
const target = (description: string) => ({
  error: 'invalid_target',
  error_description: description,
});
const NOT_REGISTERED = target('the requested resource is not registered for this client');

describe('resource indicators (RFC 8707)', () => {
  it('splits the joined parameter, in order, without duplicates', () => {
    expect(splitResources(undefined)).toEqual([]);
    expect(splitResources(`${A} ${B} ${A}`)).toEqual([A, B]);
  });

  describe('at /authorize', () => {
    it('accepts several registered resources', () => {
      expect(authorizationResources(`${B} ${A}`, CLIENT)).toEqual([B, A]);
      expect(authorizationResources(undefined, CLIENT)).toEqual([]);
    });

    it.each([
      ['relative', 'api/v1', target('resource must be an absolute URI')],
      ['with a fragment', `${A}#x`, target('resource must not contain a fragment')],
      ['too long', `${A}/${'a'.repeat(2000)}`, target('resource must be at most 2000 characters')],
      ['with white space', `${A}/\tx`, target('resource must not contain white space')],
      ['not registered for the client', 'https://elsewhere.example', NOT_REGISTERED],
    ])('refuses a resource %s with invalid_target', (_label, resource, expected) => {
      expect(errorOf(() => authorizationResources(`${A} ${resource}`, CLIENT))).toEqual(expected);
    });

    it('refuses more values than any client may register with invalid_request', () => {
      const eleven = Array.from({ length: 11 }, (_, i) => `${A}/${i}`);
      expect(errorOf(() => authorizationResources(eleven.join(' '), eleven))).toEqual({
        error: 'invalid_request',
        error_description: 'resource may be given at most 10 times',
      });
      expect(authorizationResources(eleven.slice(1).join(' '), eleven)).toHaveLength(10);
    });
  });

  describe('at /token', () => {
    it('takes at most one resource, registered for the client', () => {
      expect(tokenRequestResource(undefined, CLIENT)).toBeUndefined();
      expect(tokenRequestResource(C, CLIENT)).toBe(C);
      expect(errorOf(() => tokenRequestResource(`${A} ${B}`, CLIENT))).toEqual(
        target('only one resource may be requested per access token'),
      );
      expect(errorOf(() => tokenRequestResource('https://x.example', CLIENT))).toEqual(
        NOT_REGISTERED,
      );
      expect(errorOf(() => tokenRequestResource('relative', ['relative']))).toEqual(
        target('resource must be an absolute URI'),
      );
    });

    it('targets the named resource, else the grant resources, else the client resources', () => {
      expect(tokenTargets(B, CLIENT, [A, B])).toEqual({ resources: [B], named: true });
      expect(tokenTargets(undefined, CLIENT, [B])).toEqual({ resources: [B], named: false });
      expect(tokenTargets(undefined, CLIENT, [C, A])).toEqual({ resources: [C, A], named: false });
      expect(tokenTargets(undefined, CLIENT, [])).toEqual({ resources: CLIENT, named: false });
      expect(tokenTargets(undefined, CLIENT)).toEqual({ resources: CLIENT, named: false });
    });

    it("drops grant resources the client's registration no longer lists", () => {
      expect(tokenTargets(undefined, [A], [A, B])).toEqual({ resources: [A], named: false });
      expect(errorOf(() => tokenTargets(undefined, [C], [A, B]))).toEqual(
        target('the resources of the authorization grant are no longer registered for this client'),
      );
      // Naming a resource the client dropped is refused, granted or not.
      expect(errorOf(() => tokenTargets(B, [A], [A, B]))).toEqual(NOT_REGISTERED);
    });
  });
});
