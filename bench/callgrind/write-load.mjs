// The write path's requests for callgrind (write-path.sh), over 4 keep-alive connections one after
// another on each: `node write-load.mjs <base> <kind> <n> <state-file>` with kind `opaque` or `es256`
// (client_credentials /token for the seeded cc-opaque or cc-es256 client) or `refresh` (a
// refresh-token rotation on one of 4 chains; the chains are made with a code flow on the first call
// and kept in <state-file>, so the warm-up and the counted run continue the same chains).
// Throws on any answer that is not a token response, except that with WARM_UP=1 a 503 is tried again
// (under valgrind the first ES256 signature, the key ring's key generation included, can outlast
// the in-process RPC timeout).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { codeFlow } from '../lib/flow.mjs';
import { basicAuth } from '../lib/oauth.mjs';

const [base, kind, n, stateFile] = [
  process.argv[2],
  process.argv[3],
  Number(process.argv[4]),
  process.argv[5],
];
const SECRET = (id) => `${id}-secret-0123456789abcdefghij`;
const clientOf = { opaque: 'cc-opaque', es256: 'cc-es256', refresh: 'web-opaque' };
const clientId = clientOf[kind];
if (!clientId || !base || !(n >= 0) || !stateFile)
  throw new Error('usage: write-load.mjs <base> opaque|es256|refresh <n> <state-file>');
const auth = basicAuth(clientId, SECRET(clientId));
const { port } = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

const retries = process.env.WARM_UP === '1' ? 60 : 0;

async function post(body) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await postOnce(body);
    } catch (err) {
      if (attempt >= retries || !String(err.message).startsWith('503')) throw err;
    }
  }
}

function postOnce(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/token',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          authorization: auth,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(text))
            : reject(new Error(`${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function chains() {
  if (existsSync(stateFile)) return JSON.parse(readFileSync(stateFile, 'utf8'));
  const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
  const client = { client_id: clientId, client_secret: SECRET(clientId) };
  const user = { username: 'bench', password: 'bench-password-long-enough' };
  const made = [];
  // Under valgrind a sign-in's password check can outlast the in-process RPC timeout: try again.
  const flow = async (attempt = 1) => {
    try {
      return await codeFlow({ discovery, base }, client, user, 'https://rp.bench.test/cb');
    } catch (err) {
      if (attempt >= 10 || !String(err.message).includes('503')) throw err;
      return flow(attempt + 1);
    }
  };
  for (let i = 0; i < 4; i++) made.push((await flow()).refresh_token);
  return made;
}

const tokens = kind === 'refresh' ? await chains() : [];
let left = n;
// The first request alone: it may create the key ring's key for its algorithm.
if (process.env.WARM_UP === '1' && kind !== 'refresh' && left-- > 0)
  await post('grant_type=client_credentials');
const worker = async (w) => {
  while (left-- > 0) {
    if (kind === 'refresh') {
      const answer = await post(`grant_type=refresh_token&refresh_token=${tokens[w]}`);
      tokens[w] = answer.refresh_token;
    } else await post('grant_type=client_credentials');
  }
};
await Promise.all([0, 1, 2, 3].map(worker));
agent.destroy();
if (kind === 'refresh') writeFileSync(stateFile, JSON.stringify(tokens));
