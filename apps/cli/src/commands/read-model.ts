import type { Command } from '../support/command';

export const rebuild: Command = {
  path: ['read-model', 'rebuild'],
  summary: 'Rebuild the introspection read model by replaying the event store.',
  description: `Rebuilds the introspection read model (introspection:* and read-model:jwks
under REDIS_KEY_PREFIX in REDIS_URL) by replaying the event store of
DATABASE_URL/DATABASE_SCHEMA from the beginning through the projections the
live consumer runs. Without --flush it replays over what is there (idempotent;
never revives a revoked token); --flush first deletes those keys, and only
those. --embedded replays DATA_DIR/events.sqlite into memory instead: the
embedded process rebuilds its in-memory read model at every start, so this
only checks the store replays and how fast.

Progress goes to stderr (a redrawn line on a terminal: events done, events/s,
ETA; otherwise a line every 5 s); the result is one line on stdout.`,
  positionals: [],
  options: {
    flush: { type: 'boolean', help: 'erase the read model first (not with --embedded)' },
    embedded: { type: 'boolean', help: 'replay DATA_DIR/events.sqlite into memory' },
  },
  run: async (ctx) => (await import('./run/read-model')).runRebuild(ctx),
};
