// The registry of the suite's peers: the other servers every scenario runs
// beside ours, one column and one ratio each in the table. Registering a peer
// is one entry in PEERS below. An entry:
//
//   {
//     name: 'nop-redis',      // --peers, the table's column, the CSV column (nop_redis_rps),
//                             // and what bench/lib/goals.mjs names in a goal
//     label: '…',             // one line: product, version, configuration (log, table notes)
//     available(ctx)          // → { ok: true } | { ok: false, why } (may be async): false skips
//                             //   the peer's rows, `why` goes to the log and the table notes
//     start(ctx, seed)        // → { base, pids(), logs(), stop(), verify?() } (async); the server
//                             //   seeded with `seed` (bench/lib/targets.mjs SEED: clients, users);
//                             //   discovery is fetched from `${base}/.well-known/openid-configuration`.
//                             //   verify() (optional) runs after the peer's rows and throws if the
//                             //   run did not use what the label claims; it returns a note.
//     supports(scenario, variant)  // → true, or a string: why the peer has no such row (row notes).
//                             //   scenario/variant keys: issuance: 'opaque' | 'JWT ES256' | 'JWT RS256'
//                             //   | 'opaque + DPoP' | 'JWT ES256 + DPoP'; introspection: 'opaque' | 'jwt';
//                             //   userinfo: 'opaque' | 'jwt' | 'opaque + DPoP' | 'jwt + DPoP';
//                             //   codeflow: 'code flow' | 'refresh rotation'
//     warmup?                 // seconds, or async (ctx, probe) => ({ note }): bench/lib/warmup.mjs
//     login?: { form?: RegExp, username?: 'username', password?: 'password' }
//                             // its login page for the code flow (bench/lib/flow.mjs): which
//                             // <form> (default: the first), the user and password field names
//     startBudgetSeconds?     // how long its first start may take (fetch, build, start: Keycloak's
//                             //   minutes); a smoke run's per-scenario limit grows by the largest
//   }
//
// ctx is the suite's (bench/README.md: { options, log, root, smoke, peers }).
import { keycloak } from './keycloak/index.mjs';
import { nopMemory, nopRedis } from './nop.mjs';

export const PEERS = [nopMemory, nopRedis, keycloak];

/** The entry named `name` (throws on an unknown name). */
export function peerNamed(name) {
  const peer = PEERS.find((p) => p.name === name);
  if (!peer) throw new Error(`unknown peer ${name} (have: ${PEERS.map((p) => p.name).join(',')})`);
  return peer;
}

/**
 * The peers to run: `wanted` (names; undefined = every registered one), those
 * not available on this machine left out. Resolves with { peers, skipped:
 * [{ name, why }] }.
 */
export async function selectPeers(ctx, wanted) {
  const chosen = wanted ? wanted.map(peerNamed) : PEERS;
  const peers = [];
  const skipped = [];
  for (const peer of chosen) {
    let verdict;
    try {
      verdict = await peer.available(ctx);
    } catch (err) {
      verdict = { ok: false, why: String(err.message ?? err) };
    }
    if (verdict?.ok) peers.push(peer);
    else skipped.push({ name: peer.name, why: verdict?.why ?? 'not available' });
  }
  return { peers, skipped };
}

/** { ok: true } or { ok: false, why } for a peer and a row. */
export function support(peer, scenario, variant) {
  const answer = peer.supports ? peer.supports(scenario, variant) : true;
  return answer === true ? { ok: true } : { ok: false, why: answer || 'not supported' };
}

/**
 * The variants a target measures in a scenario: ours all of them; a peer the
 * ones it supports, and in a smoke run only the first of those (one short
 * row per peer and scenario proves it works). Returns { run, skipped: { variant: why } }.
 */
export function variantsFor(ctx, target, scenario, variants) {
  if (!target.peer) return { run: variants, skipped: {} };
  const run = [];
  const skipped = {};
  for (const v of variants) {
    const s = support(target.peer, scenario, v);
    if (!s.ok) skipped[v] = s.why;
    else if (!(ctx.smoke && run.length)) run.push(v);
  }
  return { run, skipped };
}
