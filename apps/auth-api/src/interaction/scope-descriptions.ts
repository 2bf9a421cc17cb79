/**
 * What the consent page tells the user each scope means (OIDC Core 5.4 for
 * the standard ones). A scope we have no text for is shown by name.
 */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your account identifier',
  profile: 'See your basic profile: name, picture, locale',
  email: 'See your email address',
  address: 'See your postal address',
  phone: 'See your phone number',
  offline_access: 'Keep access while you are not using the application',
};

export function describeScope(scope: string): string {
  return Object.hasOwn(SCOPE_DESCRIPTIONS, scope)
    ? (SCOPE_DESCRIPTIONS[scope] as string)
    : `Access "${scope}"`;
}
