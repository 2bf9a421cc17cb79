import type { OptionSpec } from './command';

/** Options shared by several commands. This module stays light: `idp --help` loads it. */
export const EMBEDDED_OPTION: Record<string, OptionSpec> = {
  embedded: {
    type: 'boolean',
    help: 'use the embedded mode store, DATA_DIR/events.sqlite, instead of PostgreSQL',
  },
};

export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'one JSON array instead of the table' },
};
