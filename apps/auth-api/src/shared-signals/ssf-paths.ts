/**
 * Where the Shared Signals API lives (ADR 0036), relative to the issuer.
 * The benchmark and the resource-server example call these paths, so they
 * are fixed here once.
 */
export const SSF_PATHS = {
  /** SSF 1.0 7.2: the transmitter metadata. */
  configuration: '/.well-known/ssf-configuration',
  /** SSF 1.0 8.1.1: create (POST), read (GET), update (PATCH), replace (PUT), delete (DELETE). */
  stream: '/ssf/stream',
  /** SSF 1.0 8.1.2: read (GET) and update (POST) a stream's status. */
  status: '/ssf/status',
  /** SSF 1.0 8.1.3.2, 8.1.3.3. */
  addSubject: '/ssf/subjects/add',
  removeSubject: '/ssf/subjects/remove',
  /** SSF 1.0 8.1.4.2. */
  verify: '/ssf/verify',
  /** RFC 8936: `POST /ssf/poll/<stream_id>`, a poll stream's `endpoint_url`. */
  poll: '/ssf/poll',
} as const;
