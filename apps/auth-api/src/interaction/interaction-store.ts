import { Injectable } from '@nestjs/common';
import { openBox, randomBase64url, sealBox } from '@idp/crypto';
import { InvalidRequest } from '@idp/oauth-errors';
import type { AuthorizationRequest } from '../authorize/types';
import { clearCookie, readCookie, serializeCookie } from '../http/cookies';
import { EdgeConfig } from '../http/edge-config';

export const INTERACTION_COOKIE = 'idp_interaction';
/** How long a user has to sign in and consent. */
export const INTERACTION_TTL_SECONDS = 600;
/** 22 base64url characters: 128 random bits. */
export const INTERACTION_ID = /^[A-Za-z0-9_-]{22}$/;
/** Browsers keep at least 4096 bytes per cookie (RFC 6265 6.1), name and attributes included. */
const MAX_COOKIE_VALUE = 3800;

/**
 * What the login and consent pages continue. The validated request, minus
 * what is not needed after /authorize (max_age and prompt=login are settled
 * by the login itself; id_token_hint can be 8 KB and is not used).
 */
export type PendingAuthorization = Omit<
  AuthorizationRequest,
  'id_token_hint' | 'max_age' | 'ui_locales' | 'acr_values' | 'ignored_scopes'
>;

/** Drops what the interaction does not carry, so it is not written into the cookie either. */
export function pendingOf(request: AuthorizationRequest): PendingAuthorization {
  const {
    id_token_hint: _hint,
    max_age: _maxAge,
    ui_locales: _locales,
    acr_values: _acr,
    ignored_scopes: _ignored,
    ...pending
  } = request;
  return pending;
}

export interface Interaction {
  readonly id: string;
  readonly step: 'login' | 'consent';
  readonly request: PendingAuthorization;
  /** Shown on the pages: client_name, or client_id when it has none. */
  readonly clientName: string;
  /** Decided at /authorize: skip_consent off, or prompt=consent. */
  readonly consent: boolean;
  /** At the consent step: the session the user is signed in with, which must still be live. */
  readonly sid?: string | undefined;
}

type Sealed = Interaction & { readonly v: 1; readonly exp: number };

/**
 * Interactions live in the browser, not in auth-api: an AES-256-GCM sealed
 * cookie (key from TOKEN_HASH_KEY) that expires after 10 minutes, so any
 * replica can continue any interaction and nothing needs sticky sessions.
 *
 * The cookie's Path is `/interaction/<id>`: the browser sends it to that
 * interaction's pages only, so two tabs signing in to two clients never
 * overwrite each other. The id is also the box's associated data, so a
 * cookie cannot be moved to another id. Being stateless, a box can be
 * replayed until it expires by whoever holds it (it is HttpOnly); a replayed
 * login still needs the password, a replayed consent a live session.
 */
@Injectable()
export class InteractionStore {
  constructor(private readonly edge: EdgeConfig) {}

  /** A fresh interaction and the Set-Cookie that stores it. */
  start(
    fields: Omit<Interaction, 'id'>,
    now: number,
  ): { interaction: Interaction; cookie: string } {
    const interaction = { id: randomBase64url(16), ...fields };
    return { interaction, cookie: this.save(interaction, now) };
  }

  /** The Set-Cookie storing `interaction` (a new step of it) for another 10 minutes. */
  save(interaction: Interaction, now: number): string {
    const sealed: Sealed = { v: 1, exp: now + INTERACTION_TTL_SECONDS, ...interaction };
    const value = sealBox(this.edge.interactionKey, aad(interaction.id), JSON.stringify(sealed));
    // Beyond this, browsers drop the cookie silently and the user would loop back to login.
    if (value.length > MAX_COOKIE_VALUE) {
      throw new InvalidRequest('the authorization request is too large');
    }
    return serializeCookie(INTERACTION_COOKIE, value, {
      path: this.path(interaction.id),
      maxAge: INTERACTION_TTL_SECONDS,
      secure: this.edge.secureCookies,
    });
  }

  /** The interaction `id` from the Cookie header, or undefined when absent, forged or expired. */
  find(cookieHeader: string | undefined, id: string, now: number): Interaction | undefined {
    if (!INTERACTION_ID.test(id)) return undefined;
    const box = readCookie(cookieHeader, INTERACTION_COOKIE);
    if (box === undefined) return undefined;
    const text = openBox(this.edge.interactionKey, aad(id), box);
    if (text === undefined) return undefined;
    const { v, exp, ...interaction } = JSON.parse(text) as Sealed;
    if (v !== 1 || interaction.id !== id || !(exp > now)) return undefined;
    return interaction;
  }

  /** Ends the interaction in the browser (it cannot be revoked anywhere else). */
  clear(id: string): string {
    return clearCookie(INTERACTION_COOKIE, {
      path: this.path(id),
      secure: this.edge.secureCookies,
    });
  }

  private path(id: string): string {
    return this.edge.cookiePath(`/interaction/${id}`);
  }
}

function aad(id: string): string {
  return `${INTERACTION_COOKIE}:v1:${id}`;
}
