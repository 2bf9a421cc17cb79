import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT, waitFor } from '../support/service-process';

/** The shipped edge config (docker-compose.yml `edge`) and the shipped Ingress. */
export const EDGE_CONF = join(ROOT, 'deploy', 'compose', 'edge.conf');
export const INGRESS_YAML = join(ROOT, 'deploy', 'k8s', 'ingress.yaml');

/** One route of the public origin: a path, how it matches, and which app serves it. */
export interface Route {
  readonly path: string;
  readonly match: 'Exact' | 'Prefix';
  readonly app: string;
}

/** Compose service name -> the app it runs (the edge proxies to the service names). */
const UPSTREAM_VAR = /set\s+\$(\w+)\s+http:\/\/([\w.-]+):(\d+)\s*;/g;
const LOCATION = /location\s+(=\s+)?(\S+)\s*\{[^}]*?proxy_pass\s+\$(\w+)\s*;/g;

/** The location blocks of an edge config, as routes. */
export function edgeRoutes(conf: string): Route[] {
  const targets = new Map([...conf.matchAll(UPSTREAM_VAR)].map((m) => [m[1]!, m[2]!]));
  return [...conf.matchAll(LOCATION)].map((m) => ({
    path: m[2]!,
    match: m[1] ? 'Exact' : 'Prefix',
    app: targets.get(m[3]!) ?? `unknown $${m[3]}`,
  }));
}

interface IngressDoc {
  kind?: string;
  spec?: {
    rules?: {
      http?: {
        paths?: { path: string; pathType: string; backend: { service: { name: string } } }[];
      };
    }[];
  };
}

/** The paths of every Ingress in deploy/k8s/ingress.yaml, as routes. */
export function ingressRoutes(yamlText: string): Route[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as IngressDoc)
    .filter((d) => d?.kind === 'Ingress')
    .flatMap((d) => d.spec?.rules ?? [])
    .flatMap((r) => r.http?.paths ?? [])
    .map((p) => ({
      path: p.path,
      match: p.pathType as Route['match'],
      app: p.backend.service.name,
    }));
}

/** nginx on the PATH or where Debian puts it; undefined when not installed. */
export function findNginx(): string | undefined {
  for (const candidate of [process.env.NGINX_BIN, '/usr/sbin/nginx', 'nginx']) {
    if (!candidate) continue;
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * The shipped edge.conf with the compose-only parts swapped for this
 * machine's: Docker's resolver line goes, each `http://<service>:<port>`
 * becomes an upstream group of local processes, and the listen port becomes
 * a free one. Every swap must match exactly once, so a shipped config that
 * changes shape fails here instead of being tested in some other form.
 */
export function renderEdgeConf(
  conf: string,
  listenPort: number,
  upstreams: Readonly<Record<string, readonly string[]>>,
): string {
  const swap = (from: RegExp | string, to: string): void => {
    const count = conf.split(from).length - 1;
    if (count !== 1) throw new Error(`edge.conf: expected one ${String(from)}, found ${count}`);
    conf = conf.replace(from, to);
  };
  swap(/^resolver .*;$/m, '# (resolver: compose only)');
  swap(/listen 3000;/, `listen 127.0.0.1:${listenPort};`);
  const groups: string[] = [];
  for (const [service, servers] of Object.entries(upstreams)) {
    const group = `local_${service.replace(/\W/g, '_')}`;
    swap(new RegExp(`http://${service}:\\d+;`), `http://${group};`);
    groups.push(`upstream ${group} {\n${servers.map((s) => `  server ${s};`).join('\n')}\n}`);
  }
  return [...groups, conf].join('\n');
}

/** nginx in the foreground over a rendered edge config; stop() ends it. */
export class EdgeProxy {
  private child: ChildProcess | undefined;
  private output = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'idp-edge-'));

  constructor(
    private readonly nginx: string,
    readonly port: number,
    private readonly httpConf: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // Workers run as nobody when we are root: they must be able to enter the temp folders.
    chmodSync(this.dir, 0o755);
    const d = this.dir;
    const main = [
      'worker_processes 1;',
      `pid ${d}/nginx.pid;`,
      `error_log ${d}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `  ${t}_temp_path ${d}/${t};`,
      ),
      this.httpConf,
      '}',
    ].join('\n');
    writeFileSync(join(d, 'nginx.conf'), main);
    const args = ['-p', d, '-e', join(d, 'error.log'), '-c', join(d, 'nginx.conf')];
    const test = spawnSync(this.nginx, ['-t', ...args], { encoding: 'utf8' });
    if (test.status !== 0) throw new Error(`nginx -t failed:\n${test.stderr}`);
    const child = spawn(this.nginx, [...args, '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    this.child = child;
    await waitFor('edge nginx listening', async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited:\n${this.logs()}`);
      const res = await fetch(`${this.url}/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return true;
    });
  }

  logs(): string {
    const file = join(this.dir, 'error.log');
    return this.output + (existsSync(file) ? readFileSync(file, 'utf8') : '');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        // QUIT: graceful stop of the master and its worker.
        child.kill('SIGQUIT');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
