import { LRUCache } from 'lru-cache';

/**
 * The second line of defence: code must never hand a secret to a logger,
 * and whatever does reach one passes through here first. A field is
 * replaced when a word of its name (split at case changes and at
 * punctuation) says it may hold a credential or a body: `access_token`,
 * `clientSecret`, `set-cookie`, `Authorization`, `code`, `client_assertion`,
 * `body`... Errors are reduced to their type, message and stack (a driver's
 * error carries its query parameters), and JWT-shaped or Bearer strings are
 * cut out of any text, the message included.
 */
export const REDACTED = '[redacted]';

const SENSITIVE_WORDS = new Set([
  'token',
  'tokens',
  'secret',
  'secrets',
  'password',
  'passwd',
  'code',
  'assertion',
  'authorization',
  'cookie',
  'cookies',
  'verifier',
  'credential',
  'credentials',
  'jwt',
  'private',
  'body',
  'payload',
]);

/** Names a sensitive word would catch that only ever hold a number. */
const NUMERIC_FIELDS = new Set(['statusCode', 'status_code']);

const WORD_BOUNDARY = /[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/;
// Field names come from our code, so the memo stays small; bound it anyway.
const verdicts = new LRUCache<string, boolean>({
  max: 10_000,
  memoMethod: (key) =>
    !NUMERIC_FIELDS.has(key) &&
    key.split(WORD_BOUNDARY).some((word) => SENSITIVE_WORDS.has(word.toLowerCase())),
});

export function isSensitiveKey(key: string): boolean {
  return verdicts.memo(key);
}

const JWT_SHAPED =
  /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}/g;
const BEARER = /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9\-._~+/]+=*/gi;

const MAYBE_CREDENTIAL = /eyJ|bearer|basic|dpop/i;

/** Text with JWT-shaped runs and Authorization credentials cut out (the same string when clean). */
export function scrubText(text: string): string {
  if (!MAYBE_CREDENTIAL.test(text)) return text;
  let out = text;
  if (out.includes('eyJ')) out = out.replace(JWT_SHAPED, REDACTED);
  if (/bearer|basic|dpop/i.test(out)) out = out.replace(BEARER, `$1 ${REDACTED}`);
  return out;
}

const MAX_DEPTH = 6;

/** What an Error may put in a log: never its other fields. */
export function safeError(err: Error): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: scrubText(err.message),
    ...(err.stack ? { stack: scrubText(err.stack) } : {}),
    // errno-style codes (ECONNREFUSED) say what failed and hold nothing secret.
    ...(typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? { errno: code } : {}),
  };
}

/**
 * The log object with sensitive fields replaced. Copies only what changes:
 * the usual line (an access-log line, a few plain fields) is returned as is,
 * without an allocation.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return safeError(value);
  if (depth >= MAX_DEPTH) return '[depth]';
  if (Array.isArray(value)) {
    const items = value.map((v) => redact(v, depth + 1));
    return items.some((v, i) => v !== value[i]) ? items : value;
  }
  if (Buffer.isBuffer(value)) return REDACTED;
  const record = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const field = record[key];
    const safe =
      isSensitiveKey(key) && field !== undefined && field !== null
        ? REDACTED
        : redact(field, depth + 1);
    if (safe !== field && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j] as string] = record[keys[j] as string];
    }
    if (out !== undefined) out[key] = safe;
  }
  return out ?? value;
}
