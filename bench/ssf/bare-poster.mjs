// The bare limit of the Shared Signals fan-out, in its own process (as the
// transmitter is): POSTs pre-signed SETs to the receivers with plain
// node:http, a keep-alive agent as the guarded outbound client's (no socket
// cap, 8 idle sockets kept per origin) and at most `concurrency` in flight.
// Protocol (IPC): { posts: [{ url, authorization, body }], concurrency } →
// 'loaded'; 'go' → { done: true, failures: [...] }.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 8 });
let batch;

function post({ url, authorization, body }) {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/secevent+jwt',
          accept: 'application/json',
          authorization,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve(res.statusCode === 202 ? undefined : `${url}: ${res.statusCode}`),
        );
      },
    );
    req.on('error', (err) => resolve(`${url}: ${err.message}`));
    req.end(body);
  });
}

async function run({ posts, concurrency }) {
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < posts.length) {
      const failure = await post(posts[next++]);
      if (failure) failures.push(failure);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, posts.length) }, worker));
  return failures;
}

process.on('message', (msg) => {
  if (msg === 'go') {
    run(batch).then((failures) => process.send({ done: true, failures }));
  } else if (msg === 'exit') {
    agent.destroy();
    process.exit(0);
  } else {
    batch = msg;
    process.send('loaded');
  }
});
