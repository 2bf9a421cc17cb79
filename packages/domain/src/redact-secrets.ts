/**
 * Stored events carry keyed hashes of secrets (client secrets, tokens,
 * registration tokens), scrypt password hashes and encrypted private keys.
 * None is a credential by itself, but none belongs on an operator's screen
 * or in a pasted log either: printed events (the CLI, the token history of
 * the admin API) show that the field is there, never its value.
 */
const SENSITIVE = /(hash|secret|password|privatejwk)$/i;
/** Fields that hold a keyed hash under another name (the rotated refresh token's). */
const HASH_VALUED = new Set(['replaces']);

export const REDACTED = '[redacted]';

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SENSITIVE.test(k) || HASH_VALUED.has(k) ? REDACTED : redactSecrets(v),
    ]),
  );
}
