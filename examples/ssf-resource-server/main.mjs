import { startResourceServer } from './resource-server.mjs';

/**
 * Runs the example: `IDP_ISSUER`, `RS_CLIENT_ID`, `RS_CLIENT_SECRET` (a
 * client_credentials client an operator granted `ssf:manage`), optional
 * `PORT`, `HOST` and `PUBLIC_URL` (where the idp reaches this server).
 */
const env = process.env;
const rs = await startResourceServer({
  issuer: env.IDP_ISSUER ?? 'http://127.0.0.1:3000',
  clientId: env.RS_CLIENT_ID ?? 'ssf-rs-example',
  clientSecret: env.RS_CLIENT_SECRET ?? '',
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 0),
  ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
});
console.log(JSON.stringify({ msg: 'listening', url: rs.url, stream_id: rs.streamId }));
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    void rs.close().then(() => process.exit(0));
  });
