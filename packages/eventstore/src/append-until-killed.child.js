// Test child for crash.event-store.int.spec.ts: appends two-event batches to a
// few streams until it is SIGKILLed, reporting each acknowledged batch to the
// parent. Plain JS so no build step is needed: it compiles the TypeScript
// sources on the fly with @swc/core (already there for @swc/jest) and maps
// @idp/* to packages/*/src as jest.config.js does.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const packages = path.resolve(__dirname, '../..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const workspace = /^@idp\/([a-z-]+)$/.exec(request);
  const mapped = workspace ? path.join(packages, workspace[1], 'src', 'index.ts') : request;
  return resolve.call(this, mapped, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const { freshEventMeta, SessionClientJoined } = require('@idp/contracts');
const { createEventStore } = require('./create-event-store.ts');

async function main() {
  const store = await createEventStore(JSON.parse(process.argv[2]));
  const streams = 4;
  for (let i = 0; ; i++) {
    const stream = `session-crash-${i % streams}`;
    const version = 2 * Math.floor(i / streams);
    const batch = [1, 2].map((n) =>
      SessionClientJoined.create(
        { sid: stream, clientId: `rp-${i}-${n}` },
        freshEventMeta(`crash-${i}`),
      ),
    );
    await store.append(stream, version, batch);
    process.send({ acked: batch.map((e) => e.id) });
  }
}

main().catch((err) => {
  process.send({ error: String(err && err.stack) });
  process.exit(1);
});
