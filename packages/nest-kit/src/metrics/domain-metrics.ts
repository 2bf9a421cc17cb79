import { Counter, Histogram } from 'prom-client';
import type { SupportedGrantType } from '@idp/domain';
import { LeanCounter, type LeanCounterChild } from './lean-metrics';
import { once, registry } from './metrics';

/*
 * The product's own metrics (docs/operations/metrics.md). Every label value
 * comes from a closed list below: a recording function takes the list's
 * type, and the children are made once per value, so nothing a client
 * sends can add a series.
 */

/**
 * One child per combination, built on first use of each, keyed by the
 * joined values. Made with `inc(0)`: the series exists at 0 from then on,
 * so rate() sees the first real increment.
 */
function childrenOf<C>(make: (labels: Record<string, string>) => C) {
  const made = new Map<string, C>();
  return (labels: Record<string, string>): C => {
    const key = Object.values(labels).join('\u0000');
    let child = made.get(key);
    if (child === undefined) {
      child = make(labels);
      made.set(key, child);
    }
    return child;
  };
}

function zeroed(metric: Counter<string>, labels: Record<string, string>) {
  const child = metric.labels(labels);
  child.inc(0);
  return child;
}

function counter(name: string, help: string, labelNames: readonly string[]): Counter<string> {
  return once(name, () => new Counter({ name, help, labelNames, registers: [registry] }));
}

// --- issuance (token-service) ---

/** The supported grant types (domain's list); implicit counts the tokens /authorize itself returns. */
export type IssuingGrant = SupportedGrantType;
export type IssuedTokenType = 'access_token' | 'refresh_token' | 'id_token';
/** Refresh tokens are opaque, ID tokens JWTs; access tokens follow the client or resource (ADR 0007). */
export type IssuedFormat = 'opaque' | 'jwt' | 'jwe';

const tokensIssued = counter(
  'idp_tokens_issued_total',
  'Tokens issued, after the grant that records them committed',
  ['grant_type', 'token_type', 'format'],
);
const issuedChild = childrenOf((labels) => zeroed(tokensIssued, labels));

/** What one committed grant step handed out. */
export interface IssuedTokens {
  readonly accessToken?: { readonly format: IssuedFormat };
  readonly refreshToken?: boolean;
  readonly idToken?: boolean;
}

export function countIssuedTokens(grant: IssuingGrant, issued: IssuedTokens): void {
  const at = issued.accessToken;
  if (at !== undefined)
    issuedChild({ grant_type: grant, token_type: 'access_token', format: at.format }).inc();
  if (issued.refreshToken)
    issuedChild({ grant_type: grant, token_type: 'refresh_token', format: 'opaque' }).inc();
  if (issued.idToken)
    issuedChild({ grant_type: grant, token_type: 'id_token', format: 'jwt' }).inc();
}

// --- introspection (introspection-service) ---

export const INTROSPECTION_OUTCOMES = [
  'active',
  'inactive',
  /** Client authentication failed: 401 invalid_client. */
  'caller_refused',
  'rate_limited',
  /** Any other 4xx: a malformed request. */
  'invalid_request',
  /** 503: neither the read model nor token-service could answer. */
  'unavailable',
] as const;
export type IntrospectionOutcome = (typeof INTROSPECTION_OUTCOMES)[number];

// On the hot path: a lean counter (no hash string per increment), one child per outcome.
const introspectionAnswers = once(
  'idp_introspection_answers_total',
  () =>
    new LeanCounter(
      'idp_introspection_answers_total',
      'POST /introspect answers by outcome',
      registry,
    ),
);
const answerChildren = Object.fromEntries(
  INTROSPECTION_OUTCOMES.map((outcome) => [outcome, introspectionAnswers.child({ outcome })]),
) as Record<IntrospectionOutcome, LeanCounterChild>;

export function countIntrospectionAnswer(outcome: IntrospectionOutcome): void {
  answerChildren[outcome].inc();
}

const readThroughs = counter(
  'idp_introspection_read_through_total',
  'Introspections answered by token-service because the read model had no usable entry',
  ['result'],
);
const readThroughChildren = {
  answered: zeroed(readThroughs, { result: 'answered' }),
  failed: zeroed(readThroughs, { result: 'failed' }),
};

export function countReadThrough(result: 'answered' | 'failed'): void {
  readThroughChildren[result].inc();
}

// --- revocation propagation (introspection-service's read-model consumer) ---

export const REVOCATION_EVENTS = ['grant.access_token_revoked', 'grant.revoked'] as const;
export type RevocationEvent = (typeof REVOCATION_EVENTS)[number];

const propagation = once(
  'idp_revocation_propagation_seconds',
  () =>
    new Histogram({
      name: 'idp_revocation_propagation_seconds',
      help: "Seconds from a revocation event's occurredAt to its application in this replica's read model",
      labelNames: ['event'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
);
const propagationChildren = new Map(
  REVOCATION_EVENTS.map((event) => {
    propagation.zero({ event });
    return [event as string, propagation.labels({ event })];
  }),
);

/**
 * The ids of the revocations observed last. The bus delivers at least once:
 * a redelivery (a retry after a failed commit, a rebalance) would add a
 * second, later sample for one propagation and inflate the tail. Bounded:
 * revocations are a small share of the events, and a redelivery comes soon
 * after the first delivery. A redelivery to another process after a crash
 * is still counted there (it has no memory of the first).
 */
const RECENT_REVOCATIONS = 4_096;
const recentRevocations = new Set<string>();

/**
 * Records an event the consumer just applied, when it is a revocation seen
 * for the first time. Clock skew between hosts can make the difference
 * negative: it counts as 0.
 */
export function observeRevocationApplied(
  event: { readonly id: string; readonly type: string; readonly occurredAt: string },
  appliedAtMs: number,
): void {
  const child = propagationChildren.get(event.type);
  if (child === undefined) return;
  const occurred = Date.parse(event.occurredAt);
  if (Number.isNaN(occurred)) return;
  if (recentRevocations.has(event.id)) return;
  recentRevocations.add(event.id);
  // A Set iterates in insertion order: its first entry is the oldest.
  if (recentRevocations.size > RECENT_REVOCATIONS)
    recentRevocations.delete(recentRevocations.values().next().value as string);
  child.observe(Math.max(0, appliedAtMs - occurred) / 1000);
}

// --- sign-in and abuse controls (ADR 0016) ---

const loginFailures = counter(
  'idp_login_failures_total',
  'Sign-ins refused for a wrong username or password',
  [],
);
const loginLocks = counter(
  'idp_login_locks_total',
  'Usernames locked after too many failed sign-ins (LOGIN_LOCK_FAILURES)',
  [],
);

export function countLoginFailure(): void {
  loginFailures.inc();
}

export function countLoginLock(): void {
  loginLocks.inc();
}

/**
 * `throttled`: the sign-in throttle (per username, per IP, checks in flight
 * per IP); `busy`: token-service's password-check admission gate was full;
 * `rate_limited`: an endpoint's rate limit (429).
 */
export type AbuseControl = 'throttled' | 'busy' | 'rate_limited';
/** The endpoints with a rate limit (abuse/endpoint-rate-limits.ts); declared here, below it, so the metric needs no import back. */
export const RATE_LIMITED_ENDPOINTS = [
  'token',
  'introspect',
  'revoke',
  'register',
  'userinfo',
  'authorize',
  'ssf',
] as const;
export type RateLimitedEndpoint = (typeof RATE_LIMITED_ENDPOINTS)[number];
export type AbuseEndpoint = RateLimitedEndpoint | 'login' | 'password_check' | 'device_code';

const refusals = counter(
  'idp_abuse_refusals_total',
  'Requests refused by the abuse controls (ADR 0016)',
  ['control', 'endpoint'],
);
const refusalChild = childrenOf((labels) => zeroed(refusals, labels));
// Every combination exists from the start at 0, so rate() sees the first refusal.
for (const endpoint of RATE_LIMITED_ENDPOINTS) refusalChild({ control: 'rate_limited', endpoint });
refusalChild({ control: 'throttled', endpoint: 'login' });
refusalChild({ control: 'busy', endpoint: 'password_check' });

export function countAbuseRefusal(control: AbuseControl, endpoint: AbuseEndpoint): void {
  refusalChild({ control, endpoint }).inc();
}

// --- back-channel logout (session-service) ---

export type BackchannelAttemptOutcome = 'delivered' | 'retry' | 'dead_lettered';

const backchannelAttempts = counter(
  'idp_backchannel_attempts_total',
  'Back-channel logout delivery attempts, by how they ended',
  ['outcome'],
);
const attemptChildren = {
  delivered: zeroed(backchannelAttempts, { outcome: 'delivered' }),
  retry: zeroed(backchannelAttempts, { outcome: 'retry' }),
  dead_lettered: zeroed(backchannelAttempts, { outcome: 'dead_lettered' }),
};

export function countBackchannelAttempt(outcome: BackchannelAttemptOutcome): void {
  attemptChildren[outcome].inc();
}
