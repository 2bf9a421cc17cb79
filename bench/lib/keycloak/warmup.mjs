// A warm-up that lasts as long as the target needs: a JVM's JIT compiles the
// hot paths over tens of seconds, so a fixed few seconds would measure
// Keycloak half-interpreted. The load runs in rounds until a round is no
// longer clearly better than the best before it, and the warm-up used is
// returned for the row's notes.

/**
 * Runs `round(seconds)` (the row's own load for that long, resolving to its
 * throughput) until a round is less than `minGain` better than the best
 * earlier round, or `maxSeconds` are spent. Returns { seconds, rounds
 * (each round's throughput), flat (false when it stopped at maxSeconds),
 * note (for the row's notes) }.
 */
export async function warmUntilFlat(
  round,
  { roundSeconds = 5, maxSeconds = 90, minGain = 0.05, unit = 'req/s' } = {},
) {
  const rounds = [];
  let best = 0;
  let flat = false;
  while (rounds.length * roundSeconds < maxSeconds) {
    const rate = await round(roundSeconds);
    rounds.push(rate);
    if (rounds.length > 1 && rate < best * (1 + minGain)) {
      flat = true;
      break;
    }
    best = Math.max(best, rate);
  }
  const seconds = rounds.length * roundSeconds;
  const figures = rounds.map((r) => (r >= 100 ? Math.round(r) : r.toFixed(1))).join(', ');
  return {
    seconds,
    rounds,
    flat,
    note: `${seconds} s in ${roundSeconds} s rounds ${
      flat
        ? `until < ${Math.round(minGain * 100)} % better`
        : `(still climbing at the ${maxSeconds} s cap)`
    }: ${figures} ${unit}`,
  };
}
