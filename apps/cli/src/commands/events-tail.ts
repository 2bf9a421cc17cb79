import type { Command } from '../support/command';
import { EMBEDDED_OPTION } from '../support/options';

export const tailEvents: Command = {
  path: ['events', 'tail'],
  summary: 'Follow the event store: one JSON line per event, until Ctrl-C.',
  description: `Prints every event appended after it starts (with --from-start, every event
since the first) as one JSON line: the envelope and its global position, with
hashes, secrets and encrypted keys shown as [redacted]. Reads the store
(read only) every --interval-ms; a line on stderr says where it started.`,
  positionals: [],
  options: {
    type: { type: 'string', value: 'T', help: "only events of type T ('grant.*': a prefix)" },
    grant: { type: 'string', value: 'G', help: 'only the events of grant G (stream grant-G)' },
    'from-start': { type: 'boolean', help: 'print the whole log first' },
    'interval-ms': { type: 'string', value: 'N', help: 'how often to poll (default 500)' },
    ...EMBEDDED_OPTION,
  },
  run: async (ctx) => (await import('./run/events-tail')).runTailEvents(ctx),
};
