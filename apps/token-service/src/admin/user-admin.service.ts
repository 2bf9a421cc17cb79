import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NewUserInput, UserChanges, UserView } from '@idp/contracts';
import type { ActiveUser } from '@idp/domain';
import { UserDirectory } from '../users/user-directory.service';
import { notFound, translated } from './admin-errors';

/** Never the password hash: it is verified inside token-service and nowhere else. */
const view = (user: ActiveUser): UserView => ({
  sub: user.sub,
  username: user.username,
  claims: JSON.parse(JSON.stringify(user.claims)) as UserView['claims'],
});

/**
 * End-users for the admin API. Each change is a user (and username) event
 * through the deciders; their refusals become 404 (no such user), 409 (sub
 * or username taken) and 400 (claims of the wrong type, OIDC Core 5.1).
 */
@Injectable()
export class UserAdmin {
  constructor(private readonly users: UserDirectory) {}

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

  /** The user's grants and sessions are ended by the user.deleted consumers (reason user_deleted). */
  async delete(sub: string): Promise<void> {
    if (!(await this.users.delete(sub))) throw notFound('no such user');
  }
}
