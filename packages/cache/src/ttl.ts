/** What a write with a given `ttlMs` must do; shared so every adapter agrees. */
export type TtlPlan =
  | { readonly kind: 'persist' }
  | { readonly kind: 'expire'; readonly ms: number }
  | { readonly kind: 'expired' };

const PERSIST: TtlPlan = { kind: 'persist' };
const EXPIRED: TtlPlan = { kind: 'expired' };

export function planTtl(ttlMs: number | undefined): TtlPlan {
  if (ttlMs === undefined) return PERSIST;
  // A NaN TTL is a bug upstream (e.g. exp - now on a missing claim); storing
  // forever or deleting would both silently change security state.
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs)) {
    throw new RangeError(`ttlMs must be a finite number, got ${String(ttlMs)}`);
  }
  if (ttlMs <= 0) return EXPIRED;
  // Round up: Redis PX takes integers and a deny-list entry must not lapse early.
  return { kind: 'expire', ms: Math.ceil(ttlMs) };
}
