import { Inject, Injectable } from '@nestjs/common';
import { DUMMY_PASSWORD_HASH } from '@idp/crypto';
import {
  DomainRuleError,
  userDecider,
  usernameDecider,
  usernameStream,
  userStream,
  type ActiveUser,
} from '@idp/domain';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { LoginLocks } from './login-locks.service';
import { PasswordChecks } from './password-checks';

export interface NewUser {
  readonly sub: string;
  readonly username: string;
  /** Either a password (hashed here) or an existing scrypt hash (seed files may carry either). */
  readonly password?: string | undefined;
  readonly passwordHash?: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface UserUpdate {
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Replaces the whole claim set. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * End-users: `user-<sub>` streams hold the account, `username-<name>` streams
 * reserve login names, so uniqueness is an optimistic-concurrency check and
 * a login is two stream reads.
 */
@Injectable()
export class UserDirectory {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly passwords: PasswordChecks,
    private readonly locks: LoginLocks,
  ) {}

  async findBySub(sub: string): Promise<ActiveUser | undefined> {
    const { state } = await this.runner.load(userDecider, userStream(sub));
    return state.status === 'active' ? state : undefined;
  }

  /** Active or deleted: a sub that was ever used (it is never reassigned). */
  async exists(sub: string): Promise<boolean> {
    const { state } = await this.runner.load(userDecider, userStream(sub));
    return state.status !== 'absent';
  }

  async findByUsername(username: string): Promise<ActiveUser | undefined> {
    const { state } = await this.runner.load(usernameDecider, usernameStream(username));
    const user = state.holder ? await this.findBySub(state.holder) : undefined;
    // A rename interrupted before the old name's release must not keep the old name working.
    return user && usernameStream(user.username) === usernameStream(username) ? user : undefined;
  }

  /**
   * Claims the name first, so two users can never end up with one login name;
   * if the account then cannot be created (sub taken, bad claims) the name is
   * released again, so a failed attempt does not lock it.
   */
  async create(user: NewUser): Promise<ActiveUser> {
    const { state: existing } = await this.runner.load(userDecider, userStream(user.sub));
    // OIDC Core 2: a sub is never reassigned, even after deletion.
    if (existing.status !== 'absent')
      throw new DomainRuleError('user.exists', `sub ${user.sub} is already taken`);
    const passwordHash =
      user.passwordHash ?? (user.password ? await this.passwords.hash(user.password) : undefined);
    if (!passwordHash) throw new Error(`user ${user.sub} needs a password or a passwordHash`);
    await this.claim(user.username, user.sub);
    try {
      const result = await this.runner.run(userDecider, userStream(user.sub), {
        type: 'CreateUser',
        sub: user.sub,
        username: user.username,
        passwordHash,
        claims: user.claims,
        meta: this.runner.requestMeta(),
      });
      if (result.state.status !== 'active') throw new Error('user was not created');
      return result.state;
    } catch (err) {
      await this.release(user.username, user.sub);
      throw err;
    }
  }

  /** A new login name is claimed before the account changes and the old one released after. */
  async update(sub: string, changes: UserUpdate): Promise<ActiveUser> {
    const current = await this.findBySub(sub);
    if (!current) throw new DomainRuleError('user.not_found', 'no such user');
    const passwordHash =
      changes.password === undefined ? undefined : await this.passwords.hash(changes.password);
    const renamed =
      changes.username !== undefined &&
      usernameStream(changes.username) !== usernameStream(current.username);
    if (renamed) await this.claim(changes.username!, sub);
    try {
      const result = await this.runner.run(userDecider, userStream(sub), {
        type: 'UpdateUser',
        ...(changes.username === undefined ? {} : { username: changes.username }),
        ...(passwordHash === undefined ? {} : { passwordHash }),
        ...(changes.claims === undefined ? {} : { claims: changes.claims }),
        meta: this.runner.requestMeta(),
      });
      if (result.state.status !== 'active') throw new Error('user was not updated');
      if (renamed) await this.release(current.username, sub);
      return result.state;
    } catch (err) {
      if (renamed) await this.release(changes.username!, sub);
      throw err;
    }
  }

  /** Whether this call deleted the user. The sub stays taken; the login name becomes free. */
  async delete(sub: string): Promise<boolean> {
    const current = await this.findBySub(sub);
    if (!current) return false;
    const result = await this.runner.run(userDecider, userStream(sub), {
      type: 'DeleteUser',
      meta: this.runner.requestMeta(),
    });
    await this.release(current.username, sub);
    return result.appended.length > 0;
  }

  /**
   * The sub for a correct username and password, else null. An unknown user
   * costs the same scrypt work as a wrong password, so timing does not reveal
   * which usernames exist, and both wait for the same admission gate.
   */
  async authenticate(username: string, password: string): Promise<string | null> {
    const user = await this.findByUsername(username);
    const ok = await this.passwords.verify(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    return ok && user ? user.sub : null;
  }

  /** auth-api locked a typed username: the audit event (the name may have no account). */
  recordLoginLock(lock: { key: string; until: number; failures: number }): Promise<void> {
    return this.locks.recordLock(lock);
  }

  /** Lifts a user's sign-in lock: `login.unlocked` if one is running; the key auth-api clears. */
  async unlock(sub: string): Promise<{ key: string; recorded: boolean } | undefined> {
    const user = await this.findBySub(sub);
    return user && this.locks.unlock(sub, user.username);
  }

  private async claim(username: string, sub: string): Promise<void> {
    await this.runner.run(usernameDecider, usernameStream(username), {
      type: 'ClaimUsername',
      username,
      sub,
      meta: this.runner.requestMeta(),
    });
  }

  /** Idempotent: releases only a name this sub holds. */
  private async release(username: string, sub: string): Promise<void> {
    await this.runner.run(usernameDecider, usernameStream(username), {
      type: 'ReleaseUsername',
      username,
      sub,
      meta: this.runner.requestMeta(),
    });
  }
}
