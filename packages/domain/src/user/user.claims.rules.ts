// OIDC Core 5.1 claim types, checked when a user's claims are written so that
// every token and /userinfo response built from them is well-typed.

const BOOLEAN_CLAIMS = ['email_verified', 'phone_number_verified'];
const STRING_CLAIMS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
];
const ADDRESS_FIELDS = [
  'formatted',
  'street_address',
  'locality',
  'region',
  'postal_code',
  'country',
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with a claim set, or undefined. */
export function claimsProblem(claims: Readonly<Record<string, unknown>>): string | undefined {
  if (Object.hasOwn(claims, 'sub')) return 'sub is the stream identity, not a claim to store';
  const has = (name: string) => Object.hasOwn(claims, name) && claims[name] !== undefined;
  for (const name of BOOLEAN_CLAIMS)
    if (has(name) && typeof claims[name] !== 'boolean') return `${name} must be a boolean`;
  for (const name of STRING_CLAIMS)
    if (has(name) && typeof claims[name] !== 'string') return `${name} must be a string`;
  if (has('updated_at') && !Number.isInteger(claims['updated_at']))
    return 'updated_at must be seconds since the epoch';
  if (has('address')) {
    const address = claims['address'];
    if (!isObject(address)) return 'address must be a JSON object (OIDC Core 5.1.1)';
    const bad = Object.keys(address).find(
      (k) => !ADDRESS_FIELDS.includes(k) || typeof address[k] !== 'string',
    );
    if (bad !== undefined) return `address.${bad} is not a string member of OIDC Core 5.1.1`;
  }
  return undefined;
}
