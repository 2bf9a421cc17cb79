import { UserCreated, UserDeleted, freshEventMeta } from '@idp/contracts';
import { deciderSpec, specMeta } from '@idp/testing';
import { DomainRuleError } from '../decider';
import { userDecider, type UserCommand } from './user.decider';

const meta = specMeta(1_700_000_000, 'corr-1');
const spec = deciderSpec(userDecider);
const claims = { email: 'alice@example.com', email_verified: true, roles: ['admin'] };
const create: UserCommand = {
  type: 'CreateUser',
  sub: 'u1',
  username: 'alice',
  passwordHash: '$scrypt$n=16384$salt$hash',
  claims,
  meta,
};
const created = [
  UserCreated.create(
    { sub: 'u1', username: 'alice', passwordHash: '$scrypt$n=16384$salt$hash', claims },
    freshEventMeta('c'),
  ),
];
const deleted = [...created, UserDeleted.create({ sub: 'u1' }, freshEventMeta('c'))];

describe('user decider', () => {
  it('creates a user', () => {
    spec
      .given([])
      .when(create)
      .then([
        {
          type: 'user.created',
          data: { sub: 'u1', username: 'alice', passwordHash: '$scrypt$n=16384$salt$hash', claims },
        },
      ]);
  });

  it('never reassigns a sub, not even a deleted one (OIDC Core 2)', () => {
    spec
      .given(created)
      .when(create)
      .thenThrows(/sub u1 is already taken/);
    spec.given(deleted).when(create).thenThrows(DomainRuleError);
  });

  it.each([
    [{ sub: 'u2' }, /sub is the stream identity/],
    [{ email_verified: 'true' }, /email_verified must be a boolean/],
    [{ email: 42 }, /email must be a string/],
    [{ updated_at: '2024-01-01' }, /updated_at must be seconds since the epoch/],
    [{ address: 'Main St 1' }, /address must be a JSON object/],
    [{ address: { street: 'Main St 1' } }, /address.street is not a string member/],
  ])('refuses mistyped standard claims %j', (bad, message) => {
    spec
      .given([])
      .when({ ...create, claims: bad })
      .thenThrows(message);
  });

  it('updates only what changed, replacing the whole claim set', () => {
    spec
      .given(created)
      .when({ type: 'UpdateUser', username: 'alice', claims: { email: 'a@example.org' }, meta })
      .then([{ type: 'user.updated', data: { sub: 'u1', claims: { email: 'a@example.org' } } }]);
    spec
      .given(created)
      .when({ type: 'UpdateUser', passwordHash: '$scrypt$new', meta })
      .then([{ type: 'user.updated', data: { sub: 'u1', passwordHash: '$scrypt$new' } }]);
  });

  it('appends nothing for an update that changes nothing (claims compared by value)', () => {
    const reordered = { roles: ['admin'], email_verified: true, email: 'alice@example.com' };
    spec
      .given(created)
      .when({ type: 'UpdateUser', username: 'alice', claims: reordered, meta })
      .thenNothing();
  });

  it('refuses to update an unknown or deleted user', () => {
    spec
      .given([])
      .when({ type: 'UpdateUser', username: 'x', meta })
      .thenThrows(/no such user/);
    spec
      .given(deleted)
      .when({ type: 'UpdateUser', username: 'x', meta })
      .thenThrows(/no such user/);
  });

  it('deletes idempotently', () => {
    spec
      .given(created)
      .when({ type: 'DeleteUser', meta })
      .then([{ type: 'user.deleted', data: { sub: 'u1' } }]);
    spec.given(deleted).when({ type: 'DeleteUser', meta }).thenNothing();
    spec.given([]).when({ type: 'DeleteUser', meta }).thenNothing();
  });
});
