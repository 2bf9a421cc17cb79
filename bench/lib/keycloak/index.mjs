// Keycloak as a peer of the suite: one entry of the peer registry
// (bench/lib/peers.mjs documents the shape: name, label, available(),
// start(ctx, seed), supports(scenario, variant), warmup). The pieces:
// java.mjs (a JDK ≥ 21), install.mjs (the cached, built distribution),
// realm.mjs (the realm from the seed), server.mjs (start/stop on its own
// schema), warmup.mjs (until throughput stops climbing), verify.mjs (each
// row's operation checked, for check.mjs).
import { keycloakUnavailable, KEYCLOAK_LABEL, startKeycloak } from './server.mjs';
import { warmUntilFlat } from './warmup.mjs';

const NO_OPAQUE = 'Keycloak has no opaque access tokens (they are always JWTs)';

/**
 * true, or why Keycloak has no figure for the row. Its code-flow access
 * tokens are JWTs (RS256) whichever web client asks, so the code-flow and
 * refresh rows compare the same operations with a JWT access token on its side.
 */
function supports(scenario, variant) {
  switch (scenario) {
    case 'issuance':
    case 'introspection':
    case 'userinfo':
      return variant === 'opaque' ? NO_OPAQUE : true;
    case 'codeflow':
      return true;
    default:
      return `not measured for Keycloak (${scenario} exercises our event pipeline)`;
  }
}

/** Adaptive warm-up bounds: KEYCLOAK_WARMUP_ROUND_S (5) per round, at most KEYCLOAK_WARMUP_MAX_S (90). */
const ROUND_S = Number(process.env.KEYCLOAK_WARMUP_ROUND_S ?? 5);
const MAX_S = Number(process.env.KEYCLOAK_WARMUP_MAX_S ?? 90);

export const keycloak = {
  name: 'keycloak',
  label: KEYCLOAK_LABEL,

  /** { ok: true } or { ok: false, why } (no JDK 21+: Keycloak's rows are skipped). */
  available() {
    const why = keycloakUnavailable();
    return why ? { ok: false, why: `Keycloak skipped: ${why}` } : { ok: true };
  },

  /** startTarget's shape: { base, discovery, introspectUrls, startSeconds, pids(), logs(), stop(), verify() }. */
  start: (ctx, seed) => startKeycloak(ctx, seed),

  supports,

  // Its login page (keycloak.v2 theme): the form kc-form-login, fields username and password.
  login: { form: /id="kc-form-login"/, username: 'username', password: 'password' },

  /**
   * The JVM's warm-up: `probe(seconds)` runs the row's own load for that long
   * and resolves to its rate; rounds go on until one is < 5 % better than the
   * best before it (at most MAX_S). Resolves with { seconds, rounds, flat, note }.
   */
  warmup: (ctx, probe) => warmUntilFlat(probe, { roundSeconds: ROUND_S, maxSeconds: MAX_S }),
};

export default keycloak;
