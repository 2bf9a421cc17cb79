// Sends N `POST /introspect` over 4 keep-alive connections, one after another on each:
// node load.cjs <port> <n> [token] [client_id:secret]. Counts answers that are not active.
const http = require('node:http');
const { Buffer } = require('node:buffer');
const [port, n] = [Number(process.argv[2]), Number(process.argv[3])];
const token = process.argv[4] ?? 'abcdefghijklmnopqrstuvwxyz0123456789';
const basic = Buffer.from(process.argv[5] ?? 'rp:secret').toString('base64');
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const payload = `token=${token}`;
let inactive = 0;
function one() {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/introspect',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(payload),
          authorization: `Basic ${basic}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          if (!text.includes('"active":true')) inactive++;
          resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
(async () => {
  let left = n;
  const worker = async () => {
    while (left-- > 0) await one();
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  agent.destroy();
  if (inactive > 0) console.error(`${inactive} answers were not active`);
})();
