/** Cookie values we write are base64url (plus `.`), so they never need quoting or escaping. */
const VALUE = /^[A-Za-z0-9_.-]*$/;
/** A Path attribute must not end the cookie-av list early (RFC 6265 4.1.1). */
const PATH = /^\/[!-:<-~]*$/;

export interface CookieOptions {
  readonly path: string;
  /** Seconds; 0 deletes the cookie. */
  readonly maxAge: number;
  /** Set when the issuer is https (a Secure cookie is never sent over plain http). */
  readonly secure: boolean;
}

/**
 * Reads one cookie from a Cookie header. When a name appears more than once
 * (same name, different paths), the first wins: user agents list cookies
 * with longer paths first (RFC 6265 5.4 step 2), i.e. the most specific one.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A Set-Cookie value for our own cookies: always HttpOnly (no script reads
 * them) and SameSite=Lax, the strictest setting that still sends the cookie
 * on the top-level GET from a relying party to /authorize and along the
 * redirect chain to the login page (Strict would drop it there).
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!VALUE.test(value)) throw new Error(`cookie ${name}: value must be base64url`);
  if (!PATH.test(options.path)) throw new Error(`cookie ${name}: invalid path`);
  if (!Number.isSafeInteger(options.maxAge) || options.maxAge < 0) {
    throw new Error(`cookie ${name}: invalid Max-Age`);
  }
  const attributes = [
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (options.secure) attributes.push('Secure');
  return [`${name}=${value}`, ...attributes].join('; ');
}

/** Deletes a cookie: same name and path, empty value, Max-Age=0. */
export function clearCookie(name: string, options: Omit<CookieOptions, 'maxAge'>): string {
  return serializeCookie(name, '', { ...options, maxAge: 0 });
}
