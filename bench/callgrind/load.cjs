// Sends N `POST /introspect` (or, with LOAD_ENDPOINT=token, client_credentials `POST /token`;
// with LOAD_ENDPOINT=userinfo, `GET /userinfo` with the token as Bearer)
// over 4 keep-alive connections, one after another on each:
// node load.cjs <port> <n> [token] [client_id:secret]. Counts answers that are not the expected one.
// DPOP_KEY=<PEM file>: each request carries a fresh DPoP proof of that key (RFC 9449; at
// userinfo the token is sent as `DPoP` with the proof's ath), signed just before it is sent:
// only the server is counted, and under valgrind the counted requests take minutes, longer
// than DPOP_PROOF_MAX_AGE would let proofs signed up front live.
const http = require('node:http');
const { readFileSync } = require('node:fs');
const { createPrivateKey } = require('node:crypto');
const { Buffer } = require('node:buffer');
const [port, n] = [Number(process.argv[2]), Number(process.argv[3])];
const token = process.argv[4] ?? 'abcdefghijklmnopqrstuvwxyz0123456789';
const basic = Buffer.from(process.argv[5] ?? 'rp:secret').toString('base64');
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const endpoint = process.env.LOAD_ENDPOINT ?? 'introspect';
const userinfo = endpoint === 'userinfo';
const payload = endpoint === 'token' ? 'grant_type=client_credentials' : `token=${token}`;
const expected = { token: '"access_token":', userinfo: '"sub":' }[endpoint] ?? '"active":true';
const headers = userinfo
  ? { authorization: `Bearer ${token}` }
  : {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(payload),
      authorization: `Basic ${basic}`,
    };
let unexpected = 0;
let nextProof;
async function dpop() {
  if (!process.env.DPOP_KEY) return;
  const { athOf, proofKey, signProof } = await import('../lib/dpop.mjs');
  const key = proofKey(createPrivateKey(readFileSync(process.env.DPOP_KEY)));
  const claims = {
    htm: userinfo ? 'GET' : 'POST',
    htu: `http://127.0.0.1:${port}/${endpoint}`,
    ...(userinfo && { ath: athOf(token) }),
  };
  nextProof = () => signProof(key, claims);
  if (userinfo) headers.authorization = `DPoP ${token}`;
}
function one() {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/${endpoint}`,
        method: userinfo ? 'GET' : 'POST',
        agent,
        headers: nextProof ? { ...headers, dpop: nextProof() } : headers,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          if (!text.includes(expected)) unexpected++;
          resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(userinfo ? undefined : payload);
  });
}
(async () => {
  await dpop();
  let left = n;
  const worker = async () => {
    while (left-- > 0) await one();
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  agent.destroy();
  if (unexpected > 0) console.error(`${unexpected} answers were not ${expected}`);
})();
