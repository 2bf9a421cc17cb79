import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A free TCP port on loopback for a server to bind later. Not one from the
 * kernel's ephemeral range (bind to 0): between our release and the server's
 * bind, any outgoing connection on the machine may take such a port as its
 * local port, and the server then dies with EADDRINUSE (seen in CI). Ports
 * below that range are never handed to outgoing connections; each is tried
 * with a bind, and none is handed out twice by this process. The e2e tests
 * and the benchmarks (bench/lib/processes.mjs) share it.
 */
export async function freePort(): Promise<number> {
  const [low, high] = FIXED_PORTS;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      if (handedOut.size > (high - low) / 2) handedOut.clear();
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${low} and ${high} after 200 tries`);
}

/** [low, high): below the ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range). */
const FIXED_PORTS = ((): [number, number] => {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
  } catch {
    // Not Linux: keep the IANA default start of the dynamic range.
  }
  return [Math.max(1_024, ephemeralLow - 12_000), ephemeralLow];
})();
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
