// What the counted requests of embedded.sh / distributed.mjs present, for the suite's seed
// (bench/lib/targets.mjs): `node credentials.mjs seed` prints the seed as JSON;
// `node credentials.mjs token <kind> <base>` prints "<token> <client_id>:<secret>" where kind is
// opaque | es256 (a client_credentials client: the token is only a check that /token answers)
// or userinfo-opaque | userinfo-jwt (a user's access token from the code flow with PKCE).
import { codeFlow } from '../lib/flow.mjs';
import { CC_CLIENTS, REDIRECT_URI, SEED, USER, WEB_CLIENTS } from '../lib/targets.mjs';

const CLIENTS = {
  opaque: CC_CLIENTS.opaque,
  es256: CC_CLIENTS['JWT ES256'],
  'userinfo-opaque': WEB_CLIENTS.opaque,
  'userinfo-jwt': WEB_CLIENTS.jwt,
};

const [what, kind, base] = process.argv.slice(2);
if (what === 'seed') {
  process.stdout.write(JSON.stringify(SEED));
} else if (what === 'token' && CLIENTS[kind] !== undefined && base !== undefined) {
  const client = CLIENTS[kind];
  const basic = `${client.client_id}:${client.client_secret}`;
  let token;
  if (kind.startsWith('userinfo-')) {
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    token = (await codeFlow({ discovery, base }, client, USER, REDIRECT_URI)).access_token;
  } else {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
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
    'usage: credentials.mjs seed | token <opaque|es256|userinfo-opaque|userinfo-jwt> <base>',
  );
  process.exit(2);
}
