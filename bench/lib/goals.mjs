// The goals of issue #16 a row is judged against: minimum ratios of ours to
// a peer (named as in bench/lib/peers.mjs) or to the bare limit. A goal whose
// peer has no figure in the row (not run, not supported) is not judged.

// The rows of the write path and userinfo (issue #16, "Targets").
const HOT_ROWS = {
  issuance: ['opaque', 'JWT ES256'],
  codeflow: ['refresh rotation'],
  userinfo: ['opaque', 'jwt'],
};

/** The goals of a row: [{ against, min }]; mode is 'embedded' or starts with 'distributed'. */
export function goalsFor(scenario, variant, mode) {
  const goals = [];
  if (HOT_ROWS[scenario]?.includes(variant)) {
    if (mode === 'embedded') goals.push({ against: 'nop', min: 1.5 });
    else goals.push({ against: 'nop', min: 1 }, { against: 'nop-redis', min: 1.5 });
  }
  // ARCHITECTURE.md / issue #6, kept by #16: opaque introspection ≥ 3× nop, ≥ 0.6× bare.
  if (scenario === 'introspection' && variant === 'opaque')
    goals.push({ against: 'nop', min: 3 }, { against: 'bare', min: 0.6 });
  // Both modes ≥ 5× Keycloak on every row both have.
  goals.push({ against: 'keycloak', min: 5 });
  return goals;
}
