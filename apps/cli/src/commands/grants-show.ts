import type { Command } from '../support/command';
import { EMBEDDED_OPTION } from '../support/options';

export const showGrant: Command = {
  path: ['grants', 'show'],
  summary: "Show a grant's whole history from its events, by grant id or by token.",
  description: `Reads the grant's stream (grant-<id>) from the event store, read only. Given a
token instead of a grant id, resolves it the way token-service does: an opaque
token by its MAC and keyed hash (TOKEN_HASH_KEY), a JWT access token by its
signature (any key of the ring) and jti, a JWE by its MACed userinfo handle.
The token is never printed, and the events' hashes are shown as [redacted].
With --at, also says whether the token was active at that instant and, if
not, why (not yet issued, expired, revoked, its grant revoked and why,
rotated, its client or user deleted), folded from the events alone as the
admin API's /admin/tokens/history does (ADR 0037); given a grant id, whether
the grant had ended by then.
Prefer passing a token through an environment variable or a file substitution
over typing it: arguments show in ps and shell history.`,
  positionals: [{ name: 'grant-id|token' }],
  options: {
    ...EMBEDDED_OPTION,
    json: {
      type: 'boolean',
      help: 'one JSON object per event (JSON lines) instead of text; with --at, the admin API answer as one JSON object',
    },
    at: {
      type: 'string',
      value: 'RFC3339',
      help: 'the state at this instant (2026-01-02T03:04:05Z, or "now") and why it was not active',
    },
  },
  run: async (ctx) => (await import('./run/grants-show')).runShowGrant(ctx),
};
