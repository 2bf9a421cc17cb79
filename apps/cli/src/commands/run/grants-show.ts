import { adminTokenHistoryFields, type TokenHistory } from '@idp/contracts';
import { grantStream } from '@idp/domain';
import type { StoredEvent } from '@idp/eventstore';
import { readTokenHistory } from '@idp/token-service';
import type { RunContext } from '../../support/command';
import { CliError } from '../../support/errors';
import { println } from '../../support/io';
import { redact } from '../../support/redact';
import { cliConfig, withEventStore } from '../../support/store';
import { grantOfToken, looksLikeToken, type TokenGrant } from '../../support/token-grant';
import { describeGrantEnd, describeTokenState } from './token-state-text';

/** The printable form of a stored event: the envelope, its position, secrets' fields redacted. */
export const printable = (e: StoredEvent) => redact({ ...e }) as Record<string, unknown>;

/** `--at`: RFC 3339 with a time zone, as the admin API takes it, or `now`. */
function instantOf(value: string | boolean | undefined, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === 'now') return now;
  if (!adminTokenHistoryFields.shape.at.safeParse(value).success)
    throw new CliError(
      '--at must be an RFC 3339 date-time with a time zone (2026-01-02T03:04:05Z)',
    );
  return Date.parse(value);
}

export async function runShowGrant({ values, positionals, io }: RunContext): Promise<void> {
  const embedded = values.embedded === true;
  const arg = positionals[0]!;
  const atMs = instantOf(values.at, io.now());
  const config = cliConfig(io.env, embedded);
  const { token, events, history } = await withEventStore(config, embedded, async (store) => {
    const token: TokenGrant | undefined = looksLikeToken(arg)
      ? await grantOfToken(arg, config, store)
      : undefined;
    const grantId = token?.grantId ?? arg;
    const asked =
      token && token.role !== 'authorization_code'
        ? { kind: token.role, ref: token.ref }
        : undefined;
    return {
      token,
      events: await store.readStream(grantStream(grantId)),
      history: atMs === undefined ? undefined : await readTokenHistory(store, grantId, asked, atMs),
    };
  });
  const grantId = token?.grantId ?? arg;
  if (!events.length)
    throw new CliError(
      token ? `the token's grant ${grantId} has no events` : `no grant ${grantId}`,
    );
  if (values.json) {
    if (history) println(io.stdout, JSON.stringify(history));
    else for (const e of events) println(io.stdout, JSON.stringify(printable(e)));
    return;
  }
  const article = token && /^[aeiou]/.test(token.kind) ? 'an' : 'a';
  const via = token ? ` (from ${article} ${token.kind}${tokenRole(token, events)})` : '';
  const count = `${events.length} event${events.length === 1 ? '' : 's'}`;
  println(io.stdout, `grant ${grantId}${via}: ${count}`);
  for (const e of events) {
    const { data } = printable(e) as { data: unknown };
    println(
      io.stdout,
      `  #${e.streamVersion}  ${e.occurredAt}  ${e.type}  ${JSON.stringify(data)}`,
    );
  }
  if (history) printState(io.stdout, history, new Date(atMs!).toISOString());
}

function printState(out: RunContext['io']['stdout'], history: TokenHistory, at: string): void {
  for (const e of history.relatedEvents)
    println(out, `  (${e.stream})  ${e.occurredAt}  ${e.type}${e.reason ? `  ${e.reason}` : ''}`);
  if (history.state) println(out, describeTokenState(history.state));
  else println(out, describeGrantEnd(history, at));
}

/** Which event recorded the token (by its keyed hash or jti), without showing the hash. */
function tokenRole(token: TokenGrant, events: readonly StoredEvent[]): string {
  const needle = 'tokenHash' in token.ref ? token.ref.tokenHash : token.ref.jti;
  const at = events.find((e) => JSON.stringify(e.data).includes(`"${needle}"`));
  return at ? `, recorded by #${at.streamVersion} ${at.type}` : ', not recorded by any event';
}
