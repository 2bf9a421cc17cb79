/**
 * Stored events carry keyed hashes of secrets (client secrets, tokens,
 * registration tokens), scrypt password hashes and encrypted private keys.
 * None is a credential by itself, but none belongs on an operator's screen
 * or in a pasted log either: printed events show that the field is there,
 * never its value.
 */
const SENSITIVE = /(hash|secret|password|privatejwk)$/i;

export const REDACTED = '[redacted]';

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SENSITIVE.test(k) ? REDACTED : redact(v)]),
  );
}
