import { userStream } from '@idp/domain';
import { UserDirectory } from '../users/user-directory.service';
import { oauthErrorOf, startAdminHarness, type AdminHarness } from './admin.fixtures';
import { UserAdmin } from './user-admin.service';

// Every password is hashed with scrypt: at the default cost (~0.4 s of CPU and
// 128 MiB each) this file's fifteen hashes were a tenth of the unit suite's
// time. The cost is password.spec's business; here the same hashing and
// verifying code runs at N=2^10. Unknown users still verify the full-cost dummy.
jest.mock('@idp/crypto', () => {
  const actual = jest.requireActual<typeof import('@idp/crypto')>('@idp/crypto');
  return {
    ...actual,
    hashPassword: (password: string) => actual.hashPassword(password, { N: 2 ** 10 }),
  };
});
jest.setTimeout(60_000);

/** The operator's user management inside token-service, over a real SQLite store. */
describe('UserAdmin', () => {
  let h: AdminHarness;
  let admin: UserAdmin;
  let users: UserDirectory;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    h = await startAdminHarness();
    admin = h.app.get(UserAdmin);
    users = h.app.get(UserDirectory);
  });
  afterAll(() => h.close());

  it('creates a user who can log in; the view never carries the password hash', async () => {
    const view = await admin.create({
      username: 'Bob',
      password,
      claims: { name: 'Bob', email: 'bob@example.test', email_verified: true },
    });
    expect(view).toEqual({
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'Bob',
      claims: { name: 'Bob', email: 'bob@example.test', email_verified: true },
    });
    expect(JSON.stringify(await admin.read(view.sub))).not.toMatch(/scrypt|passwordHash/);
    expect(await users.authenticate('bob', password)).toBe(view.sub);
    const events = JSON.stringify(await h.store.readStream(userStream(view.sub)));
    expect(events).not.toContain(password);
  });

  it('answers 409 for a taken username (case-insensitive) or sub, without locking the name', async () => {
    await admin.create({ sub: 'carol-1', username: 'carol', password });
    expect(await oauthErrorOf(admin.create({ username: 'CAROL', password }))).toMatchObject({
      error: 'invalid_request',
      status: 409,
    });
    expect(
      await oauthErrorOf(admin.create({ sub: 'carol-1', username: 'carol2', password })),
    ).toMatchObject({ status: 409 });
    // Bad claims fail after the name was claimed: the name must be free again.
    expect(
      await oauthErrorOf(
        admin.create({ username: 'dave', password, claims: { email_verified: 'yes' } }),
      ),
    ).toMatchObject({ status: 400, description: 'email_verified must be a boolean' });
    await expect(admin.create({ username: 'dave', password })).resolves.toMatchObject({
      username: 'dave',
    });
  });

  it('updates claims, password and username', async () => {
    const { sub } = await admin.create({ username: 'erin', password, claims: { name: 'Erin' } });
    const updated = await admin.update(sub, {
      username: 'erin.b',
      password: 'a brand new passphrase',
      claims: { nickname: 'E' },
    });
    expect(updated).toEqual({ sub, username: 'erin.b', claims: { nickname: 'E' } });
    expect(await users.authenticate('erin.b', 'a brand new passphrase')).toBe(sub);
    expect(await users.authenticate('erin.b', password)).toBeNull();
    expect(await users.authenticate('erin', 'a brand new passphrase')).toBeNull();
    // The old name is free again; a taken one is a conflict.
    await admin.create({ username: 'erin', password });
    expect(await oauthErrorOf(admin.update(sub, { username: 'erin' }))).toMatchObject({
      status: 409,
    });
    expect(await oauthErrorOf(admin.update('nobody', { claims: {} }))).toMatchObject({
      status: 404,
    });
  });

  it('deletes: 404 afterwards, the username is free, the sub is never reused', async () => {
    const { sub } = await admin.create({ sub: 'frank-1', username: 'frank', password });
    await admin.delete(sub);
    expect(await oauthErrorOf(admin.read(sub))).toMatchObject({ status: 404 });
    expect(await oauthErrorOf(admin.delete(sub))).toMatchObject({ status: 404 });
    expect(await users.authenticate('frank', password)).toBeNull();
    await expect(admin.create({ username: 'frank', password })).resolves.toBeDefined();
    expect(
      await oauthErrorOf(admin.create({ sub: 'frank-1', username: 'frank-again', password })),
    ).toMatchObject({ status: 409 });
  });
});
