import { grantStream } from '@idp/domain';
import type { StoredEvent } from '@idp/eventstore';
import type { RunContext } from '../../support/command';
import { CliError } from '../../support/errors';
import { println } from '../../support/io';
import { redact } from '../../support/redact';
import { cliConfig, withEventStore } from '../../support/store';
import { grantOfToken, looksLikeToken, type TokenGrant } from '../../support/token-grant';

/** The printable form of a stored event: the envelope, its position, secrets' fields redacted. */
export const printable = (e: StoredEvent) => redact({ ...e }) as Record<string, unknown>;

export async function runShowGrant({ values, positionals, io }: RunContext): Promise<void> {
  const embedded = values.embedded === true;
  const arg = positionals[0]!;
  const config = cliConfig(io.env, embedded);
  const { token, events } = await withEventStore(config, embedded, async (store) => {
    const token: TokenGrant | undefined = looksLikeToken(arg)
      ? await grantOfToken(arg, config, store)
      : undefined;
    const grantId = token?.grantId ?? arg;
    return { token, grantId, events: await store.readStream(grantStream(grantId)) };
  });
  const grantId = token?.grantId ?? arg;
  if (!events.length)
    throw new CliError(
      token ? `the token's grant ${grantId} has no events` : `no grant ${grantId}`,
    );
  if (values.json) {
    for (const e of events) println(io.stdout, JSON.stringify(printable(e)));
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
}

/** Which event recorded the opaque token (found by its keyed hash), without showing the hash. */
function tokenRole(token: TokenGrant, events: readonly StoredEvent[]): string {
  if (!token.tokenHash) return '';
  const at = events.find((e) => JSON.stringify(e.data).includes(`"${token.tokenHash}"`));
  return at ? `, recorded by #${at.streamVersion} ${at.type}` : ', not recorded by any event';
}
