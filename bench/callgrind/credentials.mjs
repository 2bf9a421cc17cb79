// What the counted requests of embedded.sh / distributed.mjs present, for the suite's seed
// (bench/lib/targets.mjs): `node credentials.mjs seed` prints the seed as JSON;
// `node credentials.mjs token <kind> <base>` prints "<token> <client_id>:<secret>" where kind is
// opaque | es256 (a client_credentials client: the token is only a check that /token answers)
// or userinfo-opaque | userinfo-jwt (a user's access token from the code flow with PKCE).
// With DPOP_KEY=<PEM file> the tokens are DPoP-bound to that key (proofs at /token);
// `node credentials.mjs key <file>` writes a new P-256 key there.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { proofKey, signProof } from '../lib/dpop.mjs';
import { codeFlow } from '../lib/flow.mjs';
import { CC_CLIENTS, REDIRECT_URI, SEED, USER, WEB_CLIENTS } from '../lib/targets.mjs';

const CLIENTS = {
  opaque: CC_CLIENTS.opaque,
  es256: CC_CLIENTS['JWT ES256'],
  'userinfo-opaque': WEB_CLIENTS.opaque,
  'userinfo-jwt': WEB_CLIENTS.jwt,
};

const [what, kind, base] = process.argv.slice(2);
const dpopKey =
  process.env.DPOP_KEY && proofKey(createPrivateKey(readFileSync(process.env.DPOP_KEY)));
if (what === 'key' && kind !== undefined) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(kind, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
} else if (what === 'seed') {
  process.stdout.write(JSON.stringify(SEED));
} else if (what === 'token' && CLIENTS[kind] !== undefined && base !== undefined) {
  const client = CLIENTS[kind];
  const basic = `${client.client_id}:${client.client_secret}`;
  let token;
  if (kind.startsWith('userinfo-')) {
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    token = (await codeFlow({ discovery, base }, client, USER, REDIRECT_URI, { dpopKey }))
      .access_token;
  } else {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...(dpopKey && { dpop: signProof(dpopKey, { htm: 'POST', htu: `${base}/token` }) }),
      },
      body: 'grant_type=client_credentials',
    });
    const body = await res.json();
    if (typeof body.access_token !== 'string') throw new Error(`/token: ${JSON.stringify(body)}`);
    token = body.access_token;
  }
  process.stdout.write(`${token} ${basic}\n`);
} else {
  console.error(
    'usage: credentials.mjs seed | key <file> | token <opaque|es256|userinfo-opaque|userinfo-jwt> <base>',
  );
  process.exit(2);
}
