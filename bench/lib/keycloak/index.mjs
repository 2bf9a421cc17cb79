// Keycloak as a peer of the suite: its entry in the peer registry
// (bench/lib/peers.mjs documents the shape). The pieces: java.mjs (a JDK
// ≥ 21), install.mjs (the cached, built distribution), realm.mjs (the realm
// from the seed), server.mjs (start/stop on its own schema, verify()),
// verify.mjs (each row's operation checked, for check.mjs).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { untilPlateau } from '../warmup.mjs';
import { installed } from './install.mjs';
import { keycloakUnavailable, KEYCLOAK_LABEL, START_TIMEOUT_S, startKeycloak } from './server.mjs';
import { verifyRows } from './verify.mjs';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const NO_OPAQUE = 'Keycloak has no opaque access tokens (they are always JWTs)';
// Fetching the distribution (176 MB) and `kc.sh build` took about 2 minutes here.
const INSTALL_BUDGET_S = 600;

/**
 * true, or why Keycloak has no figure for the row. Its code-flow access
 * tokens are JWTs (RS256) whichever web client asks, so the code-flow and
 * refresh rows compare the same operations with a JWT access token on its side.
 */
function supports(scenario, variant) {
  // Keycloak has DPoP too, but issue #17 compares ours with nop only.
  if (variant.endsWith('+ DPoP')) return 'DPoP rows are not configured for Keycloak';
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

// The JVM's JIT keeps making Keycloak faster for tens of seconds: each of
// its rows first runs the row's own load in 5 s rounds until two rounds in a
// row are no more than 5 % better than the best before them (at most 120 s).
const WARMUP = {
  stepSeconds: Number(process.env.KEYCLOAK_WARMUP_ROUND_S ?? 5),
  maxSeconds: Number(process.env.KEYCLOAK_WARMUP_MAX_S ?? 120),
  tolerance: 0.05,
  stable: 2,
};

export const keycloak = {
  name: 'keycloak',
  label: KEYCLOAK_LABEL,

  /**
   * { ok: true }, or { ok: false, why }: no JDK 21+ here; or a smoke run that
   * did not name it (--peers ...,keycloak): fetching, building and starting
   * Keycloak takes minutes, more than a smoke run (CI) is for.
   */
  available(ctx) {
    const why = keycloakUnavailable();
    if (why) return { ok: false, why: `Keycloak skipped: ${why}` };
    if (ctx?.options?.smoke && !ctx.options.peers?.includes('keycloak'))
      return {
        ok: false,
        why: 'Keycloak is left out of smoke runs unless named (--peers nop,nop-redis,keycloak): its first start takes minutes',
      };
    return { ok: true };
  },

  /**
   * { base, discovery, introspectUrls, startSeconds, pids(), logs(), stop(),
   * verify() }. Every row's operation is checked once before any load: a
   * wrong realm fails here, not as a row of errors, and the first call of
   * each path (class loading: seconds on a cold JVM) is not inside a row;
   * a smoke run's 1 s introspection row completed no request without it.
   */
  async start(ctx, seed) {
    const target = await startKeycloak(ctx, seed);
    try {
      const checked = [];
      await verifyRows(target, (msg) => checked.push(msg.split(':')[0]));
      ctx.log?.(`keycloak: checked once each: ${checked.join('; ')}`);
      return target;
    } catch (err) {
      await target.stop();
      throw err;
    }
  },

  supports,

  // Its login page (keycloak.v2 theme): the form kc-form-login, fields username and password.
  login: { form: /id="kc-form-login"/, username: 'username', password: 'password' },

  /** The first start: the JVM's start-up, and the fetch and build when the cache has none. */
  get startBudgetSeconds() {
    return START_TIMEOUT_S + (installed(ROOT) ? 0 : INSTALL_BUDGET_S);
  },

  warmup: (ctx, probe) => untilPlateau(probe, WARMUP),
};

export default keycloak;
