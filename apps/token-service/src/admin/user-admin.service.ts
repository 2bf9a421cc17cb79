import { Injectable } from '@nestjs/common';
import type { NewUserInput, UserChanges, UserView } from '@idp/contracts';
import { randomUUID } from '@idp/crypto';
import type { ActiveUser } from '@idp/domain';
import { GrantRevocations } from '../revocation/grant-revocations.service';
import { UserDirectory } from '../users/user-directory.service';
import { notFound, translated } from './admin-errors';

/** Never the password hash: it is verified inside token-service and nowhere else. */
const view = (user: ActiveUser): UserView => ({
  sub: user.sub,
  username: user.username,
  claims: JSON.parse(JSON.stringify(user.claims)) as UserView['claims'],
});

/**
 * End-users (and their sessions' tokens) for the admin API. Each change is a
 * user (and username) event through the deciders; their refusals become 404
 * (no such user), 409 (sub or username taken) and 400 (claims of the wrong
 * type, OIDC Core 5.1).
 */
@Injectable()
export class UserAdmin {
  constructor(
    private readonly users: UserDirectory,
    private readonly grants: GrantRevocations,
  ) {}

  /** A generated sub is a random UUID: stable, never reassigned, reveals nothing (OIDC Core 8). */
  async create(input: NewUserInput): Promise<UserView> {
    const user = await translated(() =>
      this.users.create({
        sub: input.sub ?? randomUUID(),
        username: input.username,
        password: input.password,
        claims: input.claims ?? {},
      }),
    );
    return view(user);
  }

  async read(sub: string): Promise<UserView> {
    const user = await this.users.findBySub(sub);
    if (!user) throw notFound('no such user');
    return view(user);
  }

  async update(sub: string, changes: UserChanges): Promise<UserView> {
    return view(await translated(() => this.users.update(sub, changes)));
  }

  /**
   * Deletes the user and, before answering, revokes all their grants (reason
   * user_deleted) with the tombstones written. The user is deleted first, so
   * no new sign-in can start while the grants are revoked (ADR 0009). A
   * repeated delete still answers 404 but completes the revocation, so a
   * retry after a 503 (tombstones refused) finishes the job.
   */
  async delete(sub: string): Promise<void> {
    const deleted = await this.users.delete(sub);
    if (!deleted && !(await this.users.exists(sub))) throw notFound('no such user');
    await this.grants.revokeGrantsOf({ sub }, 'user_deleted');
    if (!deleted) throw notFound('no such user');
  }

  /** Revokes every grant of the user (reason admin); a deleted user's leftovers too. */
  async revokeTokens(sub: string): Promise<{ revoked_grants: number }> {
    if (!(await this.users.exists(sub))) throw notFound('no such user');
    return { revoked_grants: await this.grants.revokeGrantsOf({ sub }, 'admin') };
  }

  /** Lifts the user's sign-in lock (ADR 0016). */
  async unlock(sub: string): Promise<{ key: string; recorded: boolean }> {
    const unlocked = await this.users.unlock(sub);
    if (!unlocked) throw notFound('no such user');
    return unlocked;
  }

  /**
   * Revokes every grant issued under one SSO session (reason admin). Sessions
   * live in session-service, so an unknown sid is not an error: it has no grants.
   */
  async revokeSessionTokens(sid: string): Promise<{ revoked_grants: number }> {
    return { revoked_grants: await this.grants.revokeGrantsOf({ sid }, 'admin') };
  }
}
