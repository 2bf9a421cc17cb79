// Sends N `POST /introspect` (or, with LOAD_ENDPOINT=token, client_credentials `POST /token`;
// with LOAD_ENDPOINT=userinfo, `GET /userinfo` with the token as Bearer)
// over 4 keep-alive connections, one after another on each:
// node load.cjs <port> <n> [token] [client_id:secret]. Counts answers that are not the expected one.
const http = require('node:http');
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
function one() {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/${endpoint}`,
        method: userinfo ? 'GET' : 'POST',
        agent,
        headers,
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
  let left = n;
  const worker = async () => {
    while (left-- > 0) await one();
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  agent.destroy();
  if (unexpected > 0) console.error(`${unexpected} answers were not ${expected}`);
})();
