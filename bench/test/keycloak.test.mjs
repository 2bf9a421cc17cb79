// The parts of the Keycloak peer (bench/lib/keycloak/) that need no Keycloak:
// finding a JDK, the realm built from the seed, which rows it has, when it
// runs. bench/lib/keycloak/check.mjs covers the rest against a real server.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { keycloak } from '../lib/keycloak/index.mjs';
import { findJava, javaMajor } from '../lib/keycloak/java.mjs';
import { REALM, realmFor } from '../lib/keycloak/realm.mjs';
import { CC_CLIENTS, REDIRECT_URI, SEED, USER, WEB_CLIENTS } from '../lib/targets.mjs';

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

describe('the keycloak peer entry', () => {
  it('has no opaque rows, and every JWT row of issuance, introspection, userinfo and the code flow', () => {
    for (const scenario of ['issuance', 'introspection', 'userinfo'])
      assert.match(String(keycloak.supports(scenario, 'opaque')), /no opaque access tokens/);
    for (const [scenario, variant] of [
      ['issuance', 'JWT ES256'],
      ['issuance', 'JWT RS256'],
      ['introspection', 'jwt'],
      ['userinfo', 'jwt'],
      ['codeflow', 'code flow'],
      ['codeflow', 'refresh rotation'],
    ])
      assert.equal(keycloak.supports(scenario, variant), true, `${scenario} ${variant}`);
    assert.notEqual(keycloak.supports('replay', 'events'), true);
  });

  it('stays out of a smoke run unless named', () => {
    const smoke = (peers) => keycloak.available({ options: { smoke: true, peers } });
    const here = findJava();
    if (!here) {
      assert.match(smoke(undefined).why, /no JDK 21 or newer/);
      return;
    }
    assert.match(smoke(undefined).why, /left out of smoke runs unless named/);
    assert.deepEqual(smoke(['nop', 'keycloak']), { ok: true });
    assert.deepEqual(keycloak.available({ options: {} }), { ok: true });
  });
});
