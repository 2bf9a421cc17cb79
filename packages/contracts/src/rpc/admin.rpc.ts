import { z } from 'zod';
import { actorSchema } from '../actor';
import { id } from '../events/common';
import { tokenHistory } from '../token-history';

/**
 * The client and user management commands auth-api sends to token-service:
 * RFC 7591 dynamic registration, RFC 7592 client management and the admin
 * API. The edge checks the initial access token and the admin credentials;
 * token-service checks registration access tokens (it holds their hashes)
 * and runs every change through the deciders, so each one is an event.
 */
const json = z.record(z.string(), z.json());
/** Generated secrets are 256-bit; an operator-chosen one must be as hard to guess (it is stored by a fast keyed hash). */
const clientSecret = z.string().min(32).max(500);
/** Registration access tokens we issue are short; anything longer is not ours. */
const registrationAccessToken = z.string().min(1).max(512);

/**
 * RFC 7591 3.2.1 client information, minus registration_client_uri (the edge
 * owns public URLs). Secrets appear only in the response that created them.
 */
export const clientInformation = z.object({
  /** Every registered metadata value, defaults included (RFC 7591 3.2.1). */
  metadata: json,
  source: z.enum(['seed', 'dynamic_registration', 'admin']),
  client_id_issued_at: z.number().int().optional(),
  client_secret: z.string().optional(),
  /** 0: our secrets do not expire. Present whenever the client has a secret. */
  client_secret_expires_at: z.number().int().optional(),
  /** RFC 7592 3: issued at registration, echoed on read and update. */
  registration_access_token: z.string().optional(),
});
export type ClientInformation = z.output<typeof clientInformation>;

/**
 * A password an admin may set. NUL is refused: scrypt keys HMAC with the
 * password, and HMAC pads a short key with zero bytes, so `secret\0` would
 * also sign in as `secret`.
 */
const newPassword = z
  .string()
  .min(8)
  .max(1000)
  .refine((p) => !p.includes('\u0000'), 'a password must not contain NUL characters');

/** POST /admin/users. `sub` is generated when absent; the password is hashed by token-service. */
export const newUserInput = z.strictObject({
  sub: id.optional(),
  username: z.string().min(1).max(200),
  password: newPassword,
  claims: z.record(z.string(), z.json()).default({}),
});
export type NewUserInput = z.input<typeof newUserInput>;

/** PUT /admin/users/:sub: `claims` replaces the whole claim set; absent fields stay as they are. */
export const userChanges = z.strictObject({
  username: z.string().min(1).max(200).optional(),
  password: newPassword.optional(),
  claims: z.record(z.string(), z.json()).optional(),
});
export type UserChanges = z.input<typeof userChanges>;

/** A user as the admin API shows it: never the password hash. */
export const userView = z.object({ sub: z.string(), username: z.string(), claims: json });
export type UserView = z.output<typeof userView>;

const byClientId = z.object({ clientId: id });
const bySub = z.object({ sub: id });
const withRegistrationToken = byClientId.extend({ registrationAccessToken });
const empty = z.object({});
/** An operator's command: who called (ADR 0017) goes on every event it causes. */
const byAdmin = { actor: actorSchema.optional() };
/** How many grants a revoke-tokens call revoked (already revoked or expired ones are not counted). */
const revokedGrants = z.object({ revoked_grants: z.number().int().min(0) });

/** The longest token the admin API takes (as the introspect RPC): anything longer is not ours. */
export const MAX_PRESENTED_TOKEN = 16_384;

/** A token or a grant id, exactly one, and an optional RFC 3339 instant (ADR 0037). */
export const tokenHistoryRequest = z
  .object({
    token: z.string().min(1).max(MAX_PRESENTED_TOKEN).optional(),
    grantId: id.optional(),
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .refine(
    (r) => (r.token === undefined) !== (r.grantId === undefined),
    'exactly one of token and grant_id',
  );

export const adminRpcMethods = {
  /** RFC 7591 3.1 (source dynamic_registration) or an operator's registration (source admin). */
  registerClient: {
    request: z.object({
      metadata: json,
      source: z.enum(['dynamic_registration', 'admin']),
      clientSecret: clientSecret.optional(),
      ...byAdmin,
    }),
    response: clientInformation,
  },
  readClient: { request: byClientId, response: clientInformation },
  /** Full replace of the metadata (RFC 7592 2.2 semantics), by an operator. */
  replaceClient: {
    request: byClientId.extend({
      metadata: json,
      clientSecret: clientSecret.optional(),
      ...byAdmin,
    }),
    response: clientInformation,
  },
  /** Also revokes the client's grants (reason client_deleted) before answering. */
  deleteClient: { request: byClientId.extend(byAdmin), response: empty },
  rotateClientSecret: {
    request: byClientId.extend(byAdmin),
    response: z.object({
      client_id: z.string(),
      client_secret: z.string(),
      client_secret_expires_at: z.number().int(),
    }),
  },
  /** RFC 7592 2.1, 2.2, 2.3: the client itself, authenticated by its registration access token. */
  readRegistration: { request: withRegistrationToken, response: clientInformation },
  updateRegistration: {
    request: withRegistrationToken.extend({ metadata: json }),
    response: clientInformation,
  },
  deleteRegistration: { request: withRegistrationToken, response: empty },
  createUser: { request: newUserInput.extend(byAdmin), response: userView },
  readUser: { request: bySub, response: userView },
  updateUser: { request: bySub.extend({ changes: userChanges, ...byAdmin }), response: userView },
  /** Also revokes the user's grants (reason user_deleted) before answering. */
  deleteUser: { request: bySub.extend(byAdmin), response: empty },
  /** Every grant of a user, a client or an SSO session (reason admin), tombstones written (ADR 0009). */
  revokeUserTokens: { request: bySub.extend(byAdmin), response: revokedGrants },
  revokeClientTokens: { request: byClientId.extend(byAdmin), response: revokedGrants },
  revokeSessionTokens: { request: z.object({ sid: id, ...byAdmin }), response: revokedGrants },
  /**
   * Lifts a user's sign-in lock (ADR 0016): records `login.unlocked` if a
   * lock is running and answers the throttle key auth-api then clears. 404
   * for an unknown user.
   */
  unlockUser: {
    request: bySub.extend(byAdmin),
    response: z.object({ key: z.string(), recorded: z.boolean() }),
  },
  /**
   * A token's (or a grant's) history and its state at `at` (default now),
   * folded from the event store (ADR 0037). 404 for a token that is not ours
   * or an unknown grant; 400 unsupported_token_type for an ID token.
   */
  tokenHistory: { request: tokenHistoryRequest, response: tokenHistory },
};
export type AdminRpcMethods = typeof adminRpcMethods;
