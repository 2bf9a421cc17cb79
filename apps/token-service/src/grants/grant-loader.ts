import { verifyOpaqueToken, type OpaqueTokenKind } from '@idp/crypto';
import { grantDecider, grantStream, type GrantState } from '@idp/domain';
import type { CommandRunner } from '@idp/eventsourcing';

/**
 * The grant an opaque token points at, or undefined for anything forged,
 * garbled or of another kind: the MAC is checked before any read, so garbage
 * never costs a database round trip.
 */
export async function grantOfToken(
  runner: CommandRunner,
  macKey: Buffer,
  token: string,
  kind: OpaqueTokenKind,
): Promise<{ grantId: string; state: GrantState; version: number } | undefined> {
  const parts = verifyOpaqueToken(token, macKey);
  if (!parts || parts.kind !== kind) return undefined;
  const { state, version } = await runner.load(grantDecider, grantStream(parts.handle));
  return state.status === 'empty' ? undefined : { grantId: parts.handle, state, version };
}
