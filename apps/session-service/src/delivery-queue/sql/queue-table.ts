/**
 * A delivery queue table as the shared queue SQL sees it (the lease claim,
 * the next due time, recording and releasing by the lease holder, pruning).
 * Every such table has `status`, `next_attempt_at`, `attempts`,
 * `last_error`, `updated_at`, `lease_owner` and `lease_until` columns
 * (times in epoch ms).
 */
export interface QueueTable {
  readonly table: string;
  /** The primary key's columns: PostgreSQL's claim and prune join the chosen rows back on them. */
  readonly key: readonly string[];
  /** What a claim returns of each row. */
  readonly columns: readonly string[];
  /**
   * More conditions a pending row must meet to be claimed, on the row
   * aliased `d` (the SET queue: push rows of enabled streams). The claim and
   * the next due time (lease-claim.ts) share it: if they disagreed, the dispatcher would wake
   * for rows it can never claim.
   */
  readonly claimable?: string;
}
