import type { Command } from '../support/command';
import { ADMIN_OPTIONS, adminApiFrom } from '../support/admin-api';
import { println } from '../support/io';
import { renderTable } from '../support/table';

/** The admin API's page limit: list reads every page. */
const PAGE = 500;

/**
 * A delivery is identified by two ids; ids may hold any character, so each
 * part is percent-encoded and the two joined by the one unencoded `/`:
 * `retry` takes back exactly what `list` shows.
 */
export const pairId = (first: string, second: string) =>
  `${encodeURIComponent(first)}/${encodeURIComponent(second)}`;

export function parsePairId(id: string): [string, string] | undefined {
  const parts = id.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  try {
    return [decodeURIComponent(parts[0]), decodeURIComponent(parts[1])];
  } catch {
    return undefined;
  }
}

/** One kind of dead-lettered delivery behind the admin API: back-channel logout tokens, SETs. */
export interface DeadLetterKind<D> {
  /** The command group, e.g. `['backchannel', 'dead-letters']`. */
  readonly group: readonly string[];
  /** The admin API path under /admin, e.g. `['backchannel', 'dead-letters']`. */
  readonly route: readonly string[];
  readonly listSummary: string;
  readonly retrySummary: string;
  /** The two ids of a delivery, as `<first>/<second>`, and their names in the page query. */
  readonly key: (d: D) => [string, string];
  readonly idName: string;
  readonly afterParams: readonly [string, string];
  readonly columns: readonly string[];
  readonly row: (d: D) => string[];
  readonly listDescription: string;
  readonly retryDescription: string;
}

/** `list` and `retry` for one kind of dead letter (GET and POST …/retry on the admin API). */
export function deadLetterCommands<D>(kind: DeadLetterKind<D>): [Command, Command] {
  const list: Command = {
    path: [...kind.group, 'list'],
    summary: kind.listSummary,
    description: kind.listDescription,
    positionals: [],
    options: {
      ...ADMIN_OPTIONS,
      json: { type: 'boolean', help: 'one JSON array instead of the table' },
    },
    async run({ values, io }) {
      const api = adminApiFrom(values, io);
      const all: D[] = [];
      for (let after: D | undefined; ;) {
        const query = new URLSearchParams({ limit: String(PAGE) });
        if (after) {
          const [first, second] = kind.key(after);
          query.set(kind.afterParams[0], first);
          query.set(kind.afterParams[1], second);
        }
        const page = await api.call<{ deliveries: D[] }>('GET', [...kind.route], undefined, query);
        const deliveries = page?.deliveries ?? [];
        all.push(...deliveries);
        if (deliveries.length < PAGE) break;
        after = deliveries[deliveries.length - 1];
      }
      if (values.json) return void println(io.stdout, JSON.stringify(all));
      io.stdout.write(
        renderTable(
          ['ID', ...kind.columns],
          all.map((d) => [pairId(...kind.key(d)), ...kind.row(d)]),
        ),
      );
    },
  };
  const retry: Command = {
    path: [...kind.group, 'retry'],
    summary: kind.retrySummary,
    description: kind.retryDescription,
    positionals: [{ name: 'id' }],
    options: { ...ADMIN_OPTIONS },
    async run({ values, positionals, io, usageError }) {
      const id = parsePairId(positionals[0]!);
      if (!id) throw usageError(`'${positionals[0]!}' is not a delivery id (${kind.idName})`);
      await adminApiFrom(values, io).call('POST', [...kind.route, id[0], id[1], 'retry']);
      println(io.stdout, `requeued delivery ${positionals[0]!}`);
    },
  };
  return [list, retry];
}
