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
Prefer passing a token through an environment variable or a file substitution
over typing it: arguments show in ps and shell history.`,
  positionals: [{ name: 'grant-id|token' }],
  options: {
    ...EMBEDDED_OPTION,
    json: { type: 'boolean', help: 'one JSON object per event (JSON lines) instead of text' },
  },
  run: async (ctx) => (await import('./run/grants-show')).runShowGrant(ctx),
};
