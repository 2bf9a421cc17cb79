// Warm-up before a measured row. Ours and nop reach steady state within the
// suite's few seconds; a JVM peer (Keycloak) keeps getting faster for tens of
// seconds while its JIT compiles the hot paths, so measuring it after the
// default warm-up would understate it. A peer entry (bench/lib/peers.mjs)
// chooses its own policy with `warmup`:
//   - absent: the suite's --warmup seconds;
//   - a number: that many seconds of the row's own load, not counted;
//   - async (ctx, probe) => ({ note }): its own procedure; `probe(seconds)`
//     runs the row's load for that long and resolves with its rate (per s).
//     untilPlateau below is the usual one.
// The policy used is written into the row's notes.

/**
 * Returns { seconds, note }: the warm-up the row's measurement still has to do
 * (0 when the peer's procedure already ran), and what was done, for the notes.
 */
export async function warmUp(peer, ctx, probe) {
  if (ctx.smoke || !peer?.warmup) return { seconds: ctx.options.warmup };
  if (typeof peer.warmup === 'number')
    return { seconds: peer.warmup, note: `${peer.name} warm-up ${peer.warmup} s` };
  const { note } = await peer.warmup(ctx, probe);
  return { seconds: 0, note: `${peer.name} warm-up: ${note}` };
}

/**
 * Runs `probe(stepSeconds)` until the rate stops climbing (a step within
 * `tolerance` of the best so far, `stable` times in a row) or `maxSeconds`
 * have passed. Resolves with { seconds, rates, note }.
 */
export async function untilPlateau(
  probe,
  { stepSeconds = 5, maxSeconds = 120, tolerance = 0.05, stable = 2 } = {},
) {
  const rates = [];
  let best = 0;
  let calm = 0;
  let seconds = 0;
  while (seconds < maxSeconds) {
    const rate = await probe(stepSeconds);
    seconds += stepSeconds;
    rates.push(Math.round(rate));
    if (rate > best * (1 + tolerance)) calm = 0;
    else calm += 1;
    best = Math.max(best, rate);
    if (calm >= stable) break;
  }
  const reached = calm >= stable ? 'steady' : `still climbing at ${maxSeconds} s`;
  return {
    seconds,
    rates,
    note: `${seconds} s in ${stepSeconds} s steps until within ${tolerance * 100}% (${reached}; rates ${rates.join(', ')}/s)`,
  };
}
