/**
 * What this resource server no longer accepts, learnt from SETs: token ids
 * (jti), SSO sessions (sid) and users (sub, for tokens issued up to a
 * time). Every entry lasts until the latest moment a token it covers could
 * still be valid, then it is forgotten: a JWT past its exp is refused anyway.
 */
export class DenyList {
  #jtis = new Map(); // jti → until (epoch seconds)
  #sids = new Map(); // sid → until
  #subs = new Map(); // sub → { before, until }

  constructor({ maxTokenLifetime = 3600, now = () => Math.floor(Date.now() / 1000) } = {}) {
    this.maxTokenLifetime = maxTokenLifetime;
    this.now = now;
  }

  dropJti(jti, exp) {
    this.#jtis.set(jti, exp ?? this.now() + this.maxTokenLifetime);
  }

  dropSession(sid, until) {
    this.#sids.set(sid, until ?? this.now() + this.maxTokenLifetime);
  }

  /** Every token of `sub` issued at or before `before` (a user's sessions all revoked). */
  dropSubject(sub, before) {
    this.#subs.set(sub, { before, until: before + this.maxTokenLifetime });
  }

  /** Why a verified token's claims are refused, or undefined when they are not. */
  refuses(claims) {
    this.#prune();
    if (claims.jti !== undefined && this.#jtis.has(claims.jti)) return 'token revoked';
    if (claims.sid !== undefined && this.#sids.has(claims.sid)) return 'session revoked';
    const sub = claims.sub === undefined ? undefined : this.#subs.get(claims.sub);
    if (sub !== undefined && (claims.iat ?? 0) <= sub.before) return 'subject revoked';
    return undefined;
  }

  #prune() {
    const now = this.now();
    for (const map of [this.#jtis, this.#sids])
      for (const [key, until] of map) if (until < now) map.delete(key);
    for (const [key, { until }] of this.#subs) if (until < now) this.#subs.delete(key);
  }
}
