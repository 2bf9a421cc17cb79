import { z } from 'zod';

/** Client scopes that open the admin API (ADR 0017): read-write, and read-only (GET). */
export const ADMIN_SCOPE = 'idp:admin';
export const ADMIN_READ_SCOPE = 'idp:admin.read';
export const ADMIN_SCOPES: readonly string[] = [ADMIN_SCOPE, ADMIN_READ_SCOPE];

/**
 * Who made an admin call, recorded on every event the call caused: the
 * static ADMIN_TOKEN (one shared credential, so no name), or a client
 * authenticated by one of our access tokens with an idp:admin scope.
 */
export const actorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('admin_token') }),
  z.strictObject({ kind: z.literal('client'), client_id: z.string().min(1).max(200) }),
]);
export type Actor = z.output<typeof actorSchema>;
