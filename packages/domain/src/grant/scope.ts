/** RFC 6749 3.3: a scope is a space-delimited, order-insensitive set of tokens. */
export function scopeTokens(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter((t) => t.length > 0))];
}

export function hasScope(scope: string, token: string): boolean {
  return scopeTokens(scope).includes(token);
}

/**
 * The part of a granted scope that a client may still have: a client whose
 * registered scope was narrowed after the grant keeps only what it is still
 * registered for. `undefined` registration = no restriction (as at /authorize).
 */
export function withinRegistration(granted: string, registered: string | undefined): string {
  if (registered === undefined) return scopeTokens(granted).join(' ');
  const allowed = new Set(scopeTokens(registered));
  return scopeTokens(granted)
    .filter((t) => allowed.has(t))
    .join(' ');
}

/**
 * The requested scope if it is a subset of the granted one, `undefined` if it
 * asks for more. No request (or an empty one) means "everything granted".
 */
export function narrowScope(granted: string, requested: string | undefined): string | undefined {
  const wanted = scopeTokens(requested);
  if (wanted.length === 0) return granted;
  const allowed = new Set(scopeTokens(granted));
  return wanted.every((t) => allowed.has(t)) ? wanted.join(' ') : undefined;
}
