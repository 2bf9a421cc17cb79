import type { Command } from '../support/command';
import { EMBEDDED_OPTION } from '../support/options';

/**
 * Creates or upgrades both SQL schemas the services own: the event store
 * (token-service) and the back-channel delivery table (session-service).
 * The services migrate at start too; this lets a deployment do it first,
 * once, with a role allowed to change the schema.
 */
export const migrate: Command = {
  path: ['migrate'],
  summary: 'Create or upgrade the event store and delivery store schemas.',
  description: `Applies the explicit migrations of the event store (events, outbox) and of the
back-channel delivery table, in DATABASE_SCHEMA of DATABASE_URL (or, with
--embedded, DATA_DIR/events.sqlite and DATA_DIR/backchannel.sqlite). Safe to
repeat and to run while services run: migrations take an advisory lock.`,
  positionals: [],
  options: { ...EMBEDDED_OPTION },
  run: async (ctx) => (await import('./run/migrate')).runMigrate(ctx),
};
