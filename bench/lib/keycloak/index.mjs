// Keycloak as a peer of the suite: what the peer registry needs in one
// object (label, available(), start(ctx, seed), supports(scenario,
// variant), warmup(ctx, round), notes). The pieces: java.mjs (a JDK ≥ 21),
// install.mjs (the cached, built distribution), realm.mjs (the realm from
// the seed), server.mjs (start/stop on its own schema), warmup.mjs (until
// throughput stops climbing), verify.mjs (each row's operation checked).
import { keycloakUnavailable, KEYCLOAK_LABEL, startKeycloak } from './server.mjs';
import { warmUntilFlat } from './warmup.mjs';

// Keycloak's access tokens are always JWTs: the opaque rows have no
// Keycloak figure. Its code-flow and userinfo tokens are JWTs (RS256) for
// either web client, so the code flow and refresh rows compare the same
// operations with a JWT access token on Keycloak's side.
const SUPPORTED = {
  issuance: ['JWT ES256', 'JWT RS256'],
  codeflow: ['authorize → login → token (PKCE, opaque AT)', 'refresh-token rotation'],
  userinfo: ['jwt access token', 'jwt'],
  introspection: ['jwt'],
};

/** Adaptive warm-up bounds: KEYCLOAK_WARMUP_ROUND_S (5) per round, at most KEYCLOAK_WARMUP_MAX_S (90). */
const ROUND_S = Number(process.env.KEYCLOAK_WARMUP_ROUND_S ?? 5);
const MAX_S = Number(process.env.KEYCLOAK_WARMUP_MAX_S ?? 90);

export default {
  name: 'keycloak',
  label: KEYCLOAK_LABEL,

  /** { ok: true } or { ok: false, why } (no JDK 21+: Keycloak's rows are skipped). */
  available() {
    const why = keycloakUnavailable();
    return why ? { ok: false, why: `Keycloak skipped: ${why}` } : { ok: true };
  },

  /** startTarget's shape: { name, base, discovery, introspectUrls, startSeconds, pids(), logs(), stop() }. */
  start: (ctx, seed) => startKeycloak(ctx, seed),

  /** Whether Keycloak has a figure for this scenario's variant. */
  supports(scenario, variant) {
    return SUPPORTED[scenario]?.includes(variant) ?? false;
  },

  /** Why a scenario's variant has no Keycloak figure (for the row's notes). */
  unsupportedWhy(scenario, variant) {
    if (/opaque/.test(variant) && scenario !== 'codeflow')
      return 'Keycloak n/a: it has no opaque access tokens';
    return `Keycloak n/a: not measured for ${scenario}`;
  },

  /**
   * The JVM's warm-up: `round(seconds)` runs the row's own load for that long
   * and resolves to its throughput; rounds go on until one is < 5 % better
   * than the best before it (at most MAX_S). Returns { seconds, rounds, flat,
   * note } with the note for the row. A smoke run does not warm up.
   */
  async warmup(ctx, round, { unit } = {}) {
    if (ctx.smoke) return { seconds: 0, rounds: [], flat: false, note: 'smoke run: no warm-up' };
    return warmUntilFlat(round, { roundSeconds: ROUND_S, maxSeconds: MAX_S, unit });
  },
};
