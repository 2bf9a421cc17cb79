// node --test bench/lib/keycloak/ : the parts of the Keycloak peer that need
// no Keycloak (finding a JDK, the realm built from the seed, the warm-up's
// stopping rule). check.mjs covers the rest against a real server.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CC_CLIENTS, REDIRECT_URI, SEED, USER, WEB_CLIENTS } from '../targets.mjs';
import { findJava, javaMajor } from './java.mjs';
import { REALM, realmFor } from './realm.mjs';
import { warmUntilFlat } from './warmup.mjs';

describe('javaMajor', () => {
  it('reads the major version of both version schemes', () => {
    assert.equal(javaMajor('openjdk version "25.0.3" 2026-04-21 LTS'), 25);
    assert.equal(javaMajor('openjdk version "21" 2023-09-19'), 21);
    assert.equal(javaMajor('java version "1.8.0_402"'), 8);
    assert.equal(javaMajor('no java here'), undefined);
  });
});

describe('findJava', () => {
  const jvm = mkdtempSync(join(tmpdir(), 'kc-jvm-'));
  after(() => rmSync(jvm, { recursive: true, force: true }));
  /** A fake JDK whose java prints `version` to stderr as java -version does. */
  const jdk = (name, version) => {
    mkdirSync(join(jvm, name, 'bin'), { recursive: true });
    const java = join(jvm, name, 'bin', 'java');
    writeFileSync(java, `#!/bin/sh\necho 'openjdk version "${version}" 2026-01-01' >&2\n`);
    chmodSync(java, 0o755);
    return join(jvm, name);
  };
  const jdk17 = jdk('java-17', '17.0.9');

  it('finds none when every JDK is older than 21', () => {
    assert.equal(findJava({}, jvm), undefined);
  });

  it('takes the newest JDK of 21 or later', () => {
    jdk('temurin-21', '21.0.2');
    const jdk25 = jdk('temurin-25', '25.0.3');
    assert.deepEqual(findJava({ JAVA_HOME: jdk17 }, jvm), { home: jdk25, major: 25 });
  });

  it('refuses a KEYCLOAK_JAVA_HOME older than 21 instead of running Keycloak on it', () => {
    assert.throws(
      () => findJava({ KEYCLOAK_JAVA_HOME: jdk17 }, jvm),
      /not a Java 21\+ \(found 17\)/,
    );
  });
});

describe('realmFor(SEED)', () => {
  const realm = realmFor(SEED);
  const client = (id) => realm.clients.find((c) => c.clientId === id);

  it('has every seed client with its secret', () => {
    assert.equal(realm.realm, REALM);
    assert.deepEqual(
      realm.clients.map((c) => [c.clientId, c.secret]),
      SEED.clients.map((c) => [c.client_id, c.client_secret]),
    );
  });

  it('gives the service clients client_credentials with their access-token alg', () => {
    for (const c of [CC_CLIENTS['JWT ES256'], CC_CLIENTS['JWT RS256']]) {
      const kc = client(c.client_id);
      assert.equal(kc.serviceAccountsEnabled, true);
      assert.equal(kc.standardFlowEnabled, false);
      assert.equal(
        kc.attributes['access.token.signed.response.alg'],
        c.access_token_signed_response_alg,
      );
      assert.ok(kc.optionalClientScopes.includes('api:read'));
    }
    const providers = realm.components['org.keycloak.keys.KeyProvider'];
    const ec = providers.find((p) => p.providerId === 'ecdsa-generated');
    assert.deepEqual(ec.config.ecdsaEllipticCurveKey, ['P-256']);
    assert.ok(providers.some((p) => p.providerId === 'rsa-generated'));
  });

  it('gives the web clients the code flow with PKCE S256, no consent, the seed redirect URI', () => {
    for (const c of Object.values(WEB_CLIENTS)) {
      const kc = client(c.client_id);
      assert.deepEqual(kc.redirectUris, [REDIRECT_URI]);
      assert.equal(kc.attributes['pkce.code.challenge.method'], 'S256');
      assert.equal(kc.consentRequired, false);
      assert.ok(kc.optionalClientScopes.includes('offline_access'));
    }
  });

  it('rotates refresh tokens, refusing any reuse, with brute-force detection off', () => {
    assert.equal(realm.revokeRefreshToken, true);
    assert.equal(realm.refreshTokenMaxReuse, 0);
    assert.equal(realm.bruteForceProtected, false);
  });

  it('has the seed user with its sub, password and claims', () => {
    const [u] = realm.users;
    assert.equal(u.id, USER.sub);
    assert.equal(u.username, USER.username);
    assert.equal(`${u.firstName} ${u.lastName}`, USER.claims.name);
    assert.equal(u.email, USER.claims.email);
    assert.equal(u.emailVerified, USER.claims.email_verified);
    assert.deepEqual(u.credentials, [{ type: 'password', value: USER.password, temporary: false }]);
  });

  it('defines every client scope a client names', () => {
    const defined = new Set(realm.clientScopes.map((s) => s.name));
    for (const c of realm.clients)
      for (const s of [...c.defaultClientScopes, ...c.optionalClientScopes])
        assert.ok(defined.has(s), `${c.clientId}: scope ${s} is not defined`);
  });
});

describe('warmUntilFlat', () => {
  const rounds = (figures) => {
    const seconds = [];
    const round = async (s) => {
      seconds.push(s);
      return figures[seconds.length - 1];
    };
    return { round, seconds };
  };

  it('stops at the first round less than 5 % better than the best before it', async () => {
    const { round } = rounds([100, 300, 500, 520, 900]);
    const w = await warmUntilFlat(round, { roundSeconds: 5, maxSeconds: 90 });
    assert.deepEqual(w.rounds, [100, 300, 500, 520]);
    assert.equal(w.seconds, 20);
    assert.equal(w.flat, true);
    assert.match(w.note, /^20 s in 5 s rounds until < 5 % better: 100, 300, 500, 520 req\/s/);
  });

  it('never stops on the first round, even a slow one', async () => {
    const { round } = rounds([0, 10, 10]);
    assert.deepEqual((await warmUntilFlat(round)).rounds, [0, 10, 10]);
  });

  it('stops at maxSeconds while still climbing, and says so', async () => {
    const { round, seconds } = rounds([1, 2, 4, 8, 16, 32]);
    const w = await warmUntilFlat(round, { roundSeconds: 5, maxSeconds: 15 });
    assert.deepEqual(seconds, [5, 5, 5]);
    assert.equal(w.flat, false);
    assert.match(w.note, /still climbing at the 15 s cap/);
  });
});
