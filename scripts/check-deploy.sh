#!/usr/bin/env bash
# Offline checks of the deployment files: Dockerfile, .dockerignore,
# docker-compose.yml, deploy/ (compose extras, kustomize base).
#
#   scripts/check-deploy.sh
#
# Needs nothing but bash; uses what it finds and says what it skipped:
#   - docker compose (v2 plugin) or docker-compose (v1): `config -q`
#   - python3 + PyYAML (or node + js-yaml from node_modules): YAML parsing
#     and the structural checks (probes, resources, HPA, ports, secrets...;
#     PDBs, NetworkPolicies, headless gRPC Services, ServiceMonitor, Ingress,
#     admin-port exposure and the compose edge in scripts/check-deploy-k8s.py)
#   - kubectl kustomize / kustomize: render the base; checks run on the render
# No Docker engine or cluster is contacted. Exit 0 = no failure (skips allowed).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

PASS=0 FAIL=0 SKIP=0
pass() { PASS=$((PASS + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAIL=$((FAIL + 1)); printf 'FAIL  %s\n' "$*"; }
skip() { SKIP=$((SKIP + 1)); printf 'SKIP  %s\n' "$*"; }
warn() { printf 'WARN  %s\n' "$*"; }
indent() { sed 's/^/      /'; }

# ---------------------------------------------------------------- compose
COMPOSE=()
# On CI machines (root, Debian) install the compose CLI so the check really runs; no engine is needed for `config`.
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1 \
  && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${CHECK_DEPLOY_NO_INSTALL:-}" = "" ]; then
  (apt-get install -y -qq docker-compose >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq docker-compose >/dev/null 2>&1; }) || true
fi
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1 && docker-compose version >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
fi
if ((${#COMPOSE[@]})); then
  ver="$("${COMPOSE[@]}" version --short 2>/dev/null || "${COMPOSE[@]}" version 2>/dev/null | head -1)"
  # An empty env file: the check must not depend on the developer's ./.env.
  : >"$TMP/empty.env"
  for profile in "" embedded; do
    label="default services"
    args=()
    if [[ -n $profile ]]; then
      label="profile $profile"
      args=(--profile "$profile")
    fi
    if out="$("${COMPOSE[@]}" --env-file "$TMP/empty.env" -f docker-compose.yml "${args[@]}" config -q 2>&1)"; then
      pass "compose config -q ($label) with ${COMPOSE[*]} ($ver)"
    else
      fail "compose config -q ($label) with ${COMPOSE[*]} ($ver)"
      printf '%s\n' "$out" | indent
    fi
  done
else
  skip "compose config: neither 'docker compose' nor 'docker-compose' is installed"
fi

# ---------------------------------------------------------------- kustomize
KUSTOMIZE=()
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  KUSTOMIZE=(kubectl kustomize)
elif command -v kustomize >/dev/null 2>&1; then
  KUSTOMIZE=(kustomize build)
fi
RENDERED=""
if ((${#KUSTOMIZE[@]})); then
  if "${KUSTOMIZE[@]}" deploy/k8s >"$TMP/rendered.yaml" 2>"$TMP/kustomize.err"; then
    pass "kustomize build deploy/k8s (${KUSTOMIZE[*]})"
    RENDERED="$TMP/rendered.yaml"
  else
    fail "kustomize build deploy/k8s (${KUSTOMIZE[*]})"
    indent <"$TMP/kustomize.err"
  fi
else
  skip "kustomize build: neither 'kubectl kustomize' nor 'kustomize' is installed (checking the raw resource files instead)"
fi

# ---------------------------------------------------------------- YAML parser
# The structural checks are in Python (stdlib + a YAML loader). Prefer PyYAML;
# otherwise let node + js-yaml (a dev dependency of the repo, via eslint)
# convert every file to JSON first.
YAML_FILES=(docker-compose.yml)
while IFS= read -r f; do YAML_FILES+=("$f"); done < <(find deploy -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
[[ -n $RENDERED ]] && YAML_FILES+=("$RENDERED")

LOADER=""
if command -v python3 >/dev/null 2>&1; then
  if python3 -c 'import yaml' >/dev/null 2>&1; then
    LOADER=pyyaml
  elif command -v node >/dev/null 2>&1 && node -e 'require("js-yaml")' >/dev/null 2>&1; then
    LOADER=js-yaml
    mkdir -p "$TMP/json"
    for f in "${YAML_FILES[@]}"; do
      out="$TMP/json/$(printf '%s' "$f" | tr '/' '_').json"
      node -e '
        const fs = require("fs"), yaml = require("js-yaml");
        const docs = yaml.loadAll(fs.readFileSync(process.argv[1], "utf8"));
        fs.writeFileSync(process.argv[2], JSON.stringify(docs));
      ' "$f" "$out" 2>"$TMP/jsyaml.err" || { rm -f "$out"; cat "$TMP/jsyaml.err" >"$out.err"; }
    done
  fi
fi

if [[ -z $LOADER ]]; then
  skip "YAML parsing and structural checks: need python3 with PyYAML, or python3 + node with js-yaml (found: $(command -v python3 >/dev/null && echo python3 without yaml || echo no python3); $(command -v node >/dev/null && echo node || echo no node))"
else
  # Expected contract (ARCHITECTURE.md + deploy/README.md): app -> HTTP port, gRPC port.
  if out="$(LOADER="$LOADER" JSON_DIR="$TMP/json" RENDERED="$RENDERED" SCRIPTS_DIR="$ROOT/scripts" python3 - "${YAML_FILES[@]}" <<'PY'
import json, os, re, sys

files = sys.argv[1:]
loader = os.environ['LOADER']
rendered = os.environ.get('RENDERED') or None
results = []  # (status, message)

def P(msg): results.append(('PASS', msg))
def F(msg): results.append(('FAIL', msg))
def W(msg): results.append(('WARN', msg))

EXPECT = {
    'auth-api': {'http': 3000, 'grpc': None, 'admin': 9100},
    'token-service': {'http': 3001, 'grpc': 50051, 'admin': 9101},
    'introspection-service': {'http': 3002, 'grpc': None, 'admin': 9103},
    'session-service': {'http': 3003, 'grpc': 50053, 'admin': 9102},
}
# Who calls each gRPC server (the apps that read TOKEN_SERVICE_GRPC_URL / SESSION_SERVICE_GRPC_URL).
GRPC_CALLERS = {
    'token-service': {'auth-api', 'session-service', 'introspection-service'},
    'session-service': {'auth-api'},
}
# Reachable from outside the namespace (through the ingress controller), on their http port only.
PUBLIC_APPS = {'auth-api', 'introspection-service'}
EMBEDDED_PORT = 3000

def load(path):
    if loader == 'pyyaml':
        import yaml
        with open(path) as fh:
            return [d for d in yaml.safe_load_all(fh) if d is not None]
    jp = os.path.join(os.environ['JSON_DIR'], path.replace('/', '_') + '.json')
    if not os.path.exists(jp):
        raise ValueError(open(jp + '.err').read().strip() if os.path.exists(jp + '.err') else 'js-yaml failed')
    return [d for d in json.load(open(jp)) if d is not None]

docs_by_file = {}
bad = []
for f in files:
    try:
        docs_by_file[f] = load(f)
    except Exception as e:  # noqa: BLE001
        bad.append(f)
        F(f'YAML parse: {f}: {str(e).splitlines()[0] if str(e) else e!r}')
shown = [f for f in files if f != rendered]
if not bad:
    P(f'YAML parses ({loader}): ' + ', '.join(shown) + (' + kustomize render' if rendered else ''))

# ------------------------------------------------------------ kubernetes objects
k8s_docs = []
if rendered and rendered in docs_by_file:
    k8s_docs = docs_by_file[rendered]
    src = 'kustomize render'
else:
    src = 'deploy/k8s resources'
    kz = docs_by_file.get('deploy/k8s/kustomization.yaml', [{}])
    for r in (kz[0] or {}).get('resources', []) if kz else []:
        p = os.path.join('deploy/k8s', r)
        if not os.path.isfile(p):
            F(f'kustomization resource missing: {p}')
            continue
        k8s_docs += docs_by_file.get(p, [])

def objs(kind):
    return [d for d in k8s_docs if isinstance(d, dict) and d.get('kind') == kind]

deps = {d['metadata']['name']: d for d in objs('Deployment')}
svcs = {d['metadata']['name']: d for d in objs('Service')}
cms = {d['metadata']['name']: d for d in objs('ConfigMap')}
secrets = {d['metadata']['name']: d for d in objs('Secret')}

if set(deps) == set(EXPECT):
    P(f'{src}: one Deployment per app ({", ".join(sorted(deps))})')
else:
    F(f'{src}: Deployments {sorted(deps)} != apps {sorted(EXPECT)}')

def env_map(c):
    return {e['name']: e for e in c.get('env', []) or []}

def secret_keys(s):
    return set((s.get('stringData') or {}).keys()) | set((s.get('data') or {}).keys())

for name, d in sorted(deps.items()):
    problems = []
    spec = d.get('spec', {})
    tmpl = spec.get('template', {})
    pod = tmpl.get('spec', {})
    sel = (spec.get('selector') or {}).get('matchLabels') or {}
    labels = (tmpl.get('metadata') or {}).get('labels') or {}
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        problems.append('selector does not match pod template labels')
    psc = pod.get('securityContext') or {}
    if psc.get('runAsNonRoot') is not True:
        problems.append('pod securityContext.runAsNonRoot is not true')
    if not isinstance(psc.get('runAsUser'), int) or psc.get('runAsUser') == 0:
        problems.append('pod securityContext.runAsUser must be a non-zero uid (image USER is non-numeric)')
    containers = pod.get('containers') or []
    if not containers:
        problems.append('no containers')
    ann = (tmpl.get('metadata') or {}).get('annotations') or {}
    for c in containers:
        cn = c.get('name')
        ports = {p.get('name'): p.get('containerPort') for p in c.get('ports', []) or []}
        for probe, path in (('readinessProbe', '/health/ready'), ('livenessProbe', '/health/live'),
                            ('startupProbe', '/health/live')):
            pr = c.get(probe)
            hg = (pr or {}).get('httpGet') or {}
            if not pr:
                if probe != 'startupProbe':
                    problems.append(f'{cn}: no {probe}')
            elif hg.get('path') != path:
                problems.append(f'{cn}: {probe} path {hg.get("path")!r} != {path}')
            elif hg.get('port') not in ports and hg.get('port') not in ports.values():
                problems.append(f'{cn}: {probe} port {hg.get("port")!r} is not a container port')
            elif EXPECT.get(name) and hg.get('port') not in ('admin', EXPECT[name]['admin']):
                problems.append(f'{cn}: {probe} on port {hg.get("port")!r}, not the admin port (/health/* lives on ADMIN_PORT)')
        res = c.get('resources') or {}
        for kind in ('requests', 'limits'):
            for r in ('cpu', 'memory'):
                if not (res.get(kind) or {}).get(r):
                    problems.append(f'{cn}: resources.{kind}.{r} missing')
        csc = c.get('securityContext') or {}
        if csc.get('readOnlyRootFilesystem') is not True:
            problems.append(f'{cn}: readOnlyRootFilesystem is not true')
        if csc.get('allowPrivilegeEscalation') is not False:
            problems.append(f'{cn}: allowPrivilegeEscalation is not false')
        if 'ALL' not in ((csc.get('capabilities') or {}).get('drop') or []):
            problems.append(f'{cn}: capabilities.drop lacks ALL')
        # the port contract
        exp = EXPECT.get(name)
        env = env_map(c)
        if exp:
            if ports.get('http') != exp['http']:
                problems.append(f'{cn}: containerPort http {ports.get("http")} != {exp["http"]}')
            if str((env.get('PORT') or {}).get('value')) != str(exp['http']):
                problems.append(f'{cn}: env PORT {(env.get("PORT") or {}).get("value")!r} != {exp["http"]}')
            if ports.get('admin') != exp['admin']:
                problems.append(f'{cn}: containerPort admin {ports.get("admin")} != {exp["admin"]}')
            if str((env.get('ADMIN_PORT') or {}).get('value')) != str(exp['admin']):
                problems.append(f'{cn}: env ADMIN_PORT {(env.get("ADMIN_PORT") or {}).get("value")!r} != {exp["admin"]}')
            if exp['grpc']:
                if ports.get('grpc') != exp['grpc']:
                    problems.append(f'{cn}: containerPort grpc {ports.get("grpc")} != {exp["grpc"]}')
                if str((env.get('GRPC_PORT') or {}).get('value')) != str(exp['grpc']):
                    problems.append(f'{cn}: env GRPC_PORT != {exp["grpc"]}')
            if ann.get('prometheus.io/scrape') != 'true' or str(ann.get('prometheus.io/port')) != str(exp['admin']) \
                    or ann.get('prometheus.io/path') != '/metrics':
                problems.append('prometheus.io/{scrape,port,path} annotations missing or not true/<admin port>//metrics')
        # references to the ConfigMap / Secret exist
        for ef in c.get('envFrom', []) or []:
            ref = (ef.get('configMapRef') or {}).get('name')
            if ref and ref not in cms:
                problems.append(f'{cn}: envFrom ConfigMap {ref} not in the base')
            ref = (ef.get('secretRef') or {}).get('name')
            if ref and ref not in secrets:
                problems.append(f'{cn}: envFrom Secret {ref} not in the base')
        for e in env.values():
            ref = ((e.get('valueFrom') or {}).get('secretKeyRef')) or None
            if ref:
                s = secrets.get(ref.get('name'))
                if s is None:
                    problems.append(f'{cn}: Secret {ref.get("name")} not in the base')
                elif ref.get('key') not in secret_keys(s):
                    problems.append(f'{cn}: Secret {ref.get("name")} has no key {ref.get("key")}')
        mounts = {m.get('name') for m in c.get('volumeMounts', []) or []}
        vols = {v.get('name') for v in pod.get('volumes', []) or []}
        if mounts - vols:
            problems.append(f'{cn}: volumeMounts without volumes: {sorted(mounts - vols)}')
    if name == 'introspection-service' and 'replicas' in spec:
        problems.append('has spec.replicas although the HPA owns the replica count')
    # Service in front of it
    s = svcs.get(name)
    if not s:
        problems.append('no Service of the same name')
    else:
        ssel = (s.get('spec') or {}).get('selector') or {}
        if not ssel or any(labels.get(k) != v for k, v in ssel.items()):
            problems.append('Service selector does not match the pods')
        cport_names = {p.get('name') for c in containers for p in c.get('ports', []) or []}
        for sp in (s.get('spec') or {}).get('ports', []) or []:
            if isinstance(sp.get('targetPort'), str) and sp['targetPort'] not in cport_names:
                problems.append(f'Service port {sp.get("name")} targets unknown container port {sp["targetPort"]}')
        exp = EXPECT.get(name)
        if exp:
            want = {exp['http'], exp['admin']} | ({exp['grpc']} if exp['grpc'] else set())
            got = {sp.get('port') for sp in (s.get('spec') or {}).get('ports', []) or []}
            if got != want:
                problems.append(f'Service ports {sorted(got)} != {sorted(want)}')
    if problems:
        F(f'Deployment {name}: ' + '; '.join(problems))
    else:
        P(f'Deployment {name}: readiness /health/ready + liveness /health/live probes on the admin port, requests+limits, '
          f'non-root read-only rootfs, ports/env/annotations match the contract, Service matches')

# ConfigMap values point the gRPC clients at the Services
cm = cms.get('idp-config')
if cm:
    data = cm.get('data') or {}
    wrong = []
    for var, app, kind in (('TOKEN_SERVICE_GRPC_URL', 'token-service', 'grpc'), ('SESSION_SERVICE_GRPC_URL', 'session-service', 'grpc')):
        if not str(data.get(var, '')).endswith(f':{EXPECT[app][kind]}'):
            wrong.append(f'{var}={data.get(var)!r}')
    if data.get('HOST') != '0.0.0.0':
        wrong.append(f'HOST={data.get("HOST")!r} (must be 0.0.0.0 in pods)')
    if data.get('ADMIN_HOST') != '0.0.0.0':
        wrong.append(f'ADMIN_HOST={data.get("ADMIN_HOST")!r} (must be 0.0.0.0: probes and Prometheus reach it from outside the pod)')
    if wrong:
        F('ConfigMap idp-config: ' + ', '.join(wrong))
    else:
        P('ConfigMap idp-config: HOST=ADMIN_HOST=0.0.0.0, gRPC URLs point at the Service ports')
else:
    F('ConfigMap idp-config missing')

# Secret template holds placeholders only
KEY_RE = re.compile(r'^[A-Za-z0-9_-]{43}$')
s = secrets.get('idp-secrets')
if s is None:
    F('Secret idp-secrets (template) missing')
else:
    real = [k for k in ('KEY_ENCRYPTION_KEY', 'TOKEN_HASH_KEY') if KEY_RE.match(str((s.get('stringData') or {}).get(k, '')))]
    if s.get('data'):
        real.append('data: (base64 values)')
    if real:
        F(f'Secret idp-secrets looks like it holds real keys ({", ".join(real)}); it must stay a placeholder template')
    else:
        P('Secret idp-secrets is a placeholder template (keys do not pass the 32-byte base64url format)')

# HPA: exactly one, for introspection-service
hpas = objs('HorizontalPodAutoscaler')
if len(hpas) != 1:
    F(f'expected exactly one HorizontalPodAutoscaler (introspection-service), found {len(hpas)}')
else:
    h = hpas[0]
    sp = h.get('spec') or {}
    ref = sp.get('scaleTargetRef') or {}
    cpu = [m for m in sp.get('metrics', []) or [] if m.get('type') == 'Resource' and (m.get('resource') or {}).get('name') == 'cpu']
    util = ((cpu[0]['resource'].get('target') or {}).get('averageUtilization')) if cpu else None
    problems = []
    if h.get('apiVersion') != 'autoscaling/v2':
        problems.append(f'apiVersion {h.get("apiVersion")}')
    if (ref.get('kind'), ref.get('name'), ref.get('apiVersion')) != ('Deployment', 'introspection-service', 'apps/v1'):
        problems.append(f'scaleTargetRef {ref}')
    elif 'introspection-service' not in deps:
        problems.append('target Deployment introspection-service does not exist')
    if (sp.get('minReplicas'), sp.get('maxReplicas'), util) != (2, 20, 70):
        problems.append(f'min/max/cpu = {sp.get("minReplicas")}/{sp.get("maxReplicas")}/{util}, want 2/20/70')
    if problems:
        F('HPA: ' + '; '.join(problems))
    else:
        P('HPA autoscaling/v2 targets Deployment introspection-service (2..20, CPU 70%)')

pdbs = objs('PodDisruptionBudget')
pdb_ok = False
for pdb in pdbs:
    ml = ((pdb.get('spec') or {}).get('selector') or {}).get('matchLabels') or {}
    d = deps.get('introspection-service')
    pl = ((((d or {}).get('spec') or {}).get('template') or {}).get('metadata') or {}).get('labels') or {}
    if ml and all(pl.get(k) == v for k, v in ml.items()):
        pdb_ok = True
if pdb_ok:
    P('PodDisruptionBudget selects the introspection-service pods')
else:
    F('no PodDisruptionBudget selecting the introspection-service pods')

import importlib.util
_spec = importlib.util.spec_from_file_location('k8s_policies', os.path.join(os.environ['SCRIPTS_DIR'], 'check-deploy-k8s.py'))
_k8s = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_k8s)
_k8s.check(objs, deps, svcs, cms, EXPECT, GRPC_CALLERS, PUBLIC_APPS, P, F)

# ------------------------------------------------------------ docker-compose.yml
compose = (docs_by_file.get('docker-compose.yml') or [None])[0]
app_images = set()
if isinstance(compose, dict):
    services = compose.get('services') or {}
    problems = []
    for name, exp in list(EXPECT.items()) + [('embedded', {'http': EMBEDDED_PORT, 'grpc': None})]:
        s = services.get(name)
        if not s:
            problems.append(f'service {name} missing')
            continue
        b = s.get('build') or {}
        args = b.get('args') or {}
        env = s.get('environment') or {}
        if isinstance(env, list):
            env = dict(x.split('=', 1) if '=' in x else (x, None) for x in env)
        if args.get('APP') != name:
            problems.append(f'{name}: build arg APP={args.get("APP")!r}')
        app_images.add(args.get('APP'))
        if str(args.get('PORT')) != str(exp['http']) or str(env.get('PORT')) != str(exp['http']):
            problems.append(f'{name}: PORT build arg/env {args.get("PORT")!r}/{env.get("PORT")!r} != {exp["http"]}')
        if exp['grpc'] and str(env.get('GRPC_PORT')) != str(exp['grpc']):
            problems.append(f'{name}: GRPC_PORT {env.get("GRPC_PORT")!r} != {exp["grpc"]}')
        if env.get('HOST') != '0.0.0.0':
            problems.append(f'{name}: HOST is not 0.0.0.0')
        if name != 'embedded':
            for dep, cond in (s.get('depends_on') or {}).items() if isinstance(s.get('depends_on'), dict) else []:
                if (cond or {}).get('condition') != 'service_healthy':
                    problems.append(f'{name}: depends_on {dep} without condition service_healthy')
                elif not (services.get(dep) or {}).get('healthcheck') and dep not in EXPECT:
                    problems.append(f'{name}: depends_on {dep} (service_healthy) but {dep} has no healthcheck')
        elif 'embedded' not in (s.get('profiles') or []):
            problems.append('embedded: not in profile "embedded"')
    for infra in ('kafka', 'postgres', 'redis'):
        if not (services.get(infra) or {}).get('healthcheck'):
            problems.append(f'{infra}: no healthcheck')
    published = set()
    for s in services.values():
        if 'embedded' in (s.get('profiles') or []):
            continue
        for p in s.get('ports', []) or []:
            m = re.match(r'^(?:[\d.]+:)?(\d+):\d+', str(p)) if not isinstance(p, dict) else None
            published.add(int(m.group(1)) if m else (p.get('published') if isinstance(p, dict) else None))
    if 3000 not in published:
        problems.append(f'host ports {sorted(x for x in published if x)} do not include 3000')
    # bind-mount sources exist
    for n, s in services.items():
        for v in s.get('volumes', []) or []:
            src_ = v.split(':', 1)[0] if isinstance(v, str) else (v.get('source') if v.get('type') == 'bind' else None)
            if src_ and src_.startswith(('.', '/')) and not os.path.exists(src_):
                problems.append(f'{n}: bind mount source {src_} does not exist')
    if problems:
        F('docker-compose.yml: ' + '; '.join(problems))
    else:
        P('docker-compose.yml: apps built with APP/PORT of the contract, HOST=0.0.0.0, depends_on service_healthy, '
          'infra healthchecks, 3000 published, embedded profile, bind mounts exist')
    _k8s.check_compose_edge(services, EXPECT, _k8s.ingress_routes(objs), P, F, lambda f: open(f).read())
else:
    F('docker-compose.yml: no services')

# ------------------------------------------------------------ env names vs packages/config
declared = set()
try:
    declared = set(re.findall(r'^\s{2}([A-Z][A-Z0-9_]+):\s*\{', open('packages/config/src/defaults.ts').read(), re.M))
except OSError:
    pass
if declared:
    used = set()
    for d in deps.values():
        for c in d['spec']['template']['spec'].get('containers', []):
            used |= set(env_map(c))
    if cm:
        used |= set((cm.get('data') or {}).keys())
    if isinstance(compose, dict):
        for s in (compose.get('services') or {}).values():
            if str((s.get('image') or '')).startswith('idp/'):
                e = s.get('environment') or {}
                used |= set(e if isinstance(e, dict) else [x.split('=', 1)[0] for x in e])
    runtime_only = {'NODE_OPTIONS', 'NODE_ENV'}
    undeclared = sorted(used - declared - runtime_only)
    if undeclared:
        W('variables set by compose/k8s but not (yet) declared in packages/config/src/defaults.ts: ' + ', '.join(undeclared))

for status, msg in results:
    print(f'{status}  {msg}')
for status, _ in results:
    if status == 'FAIL':
        sys.exit(1)
PY
  )"; then
    rc=0
  else
    rc=$?
  fi
  while IFS= read -r line; do
    case "$line" in
      PASS\ *) PASS=$((PASS + 1)); printf '%s\n' "$line" ;;
      FAIL\ *) FAIL=$((FAIL + 1)); printf '%s\n' "$line" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <<<"$out"
  if ((rc != 0)) && ! grep -q '^FAIL' <<<"$out"; then fail "structural checks crashed (exit $rc)"; fi
fi

# ---------------------------------------------------------------- Dockerfile(s)
# One parameterised root Dockerfile (ARG APP) and/or per-app apps/<app>/Dockerfile.
check_cmd_path() { # <dockerfile> <app>
  local df="$1" app="$2" main="apps/$2/src/main.ts"
  if [[ -f $main ]]; then
    pass "$df: APP=$app -> node apps/$app/dist/main.js (source $main exists)"
  else
    fail "$df: APP=$app runs apps/$app/dist/main.js but $main does not exist"
  fi
}
dockerfile_basics() { # <dockerfile>
  local df="$1" problems=()
  grep -Eq '^FROM[[:space:]]+(\$\{NODE_IMAGE\}|node:24-bookworm-slim)' "$df" || problems+=("no FROM node:24-bookworm-slim")
  grep -Eq '^ARG[[:space:]]+NODE_IMAGE=node:24-bookworm-slim' "$df" || grep -Eq '^FROM[[:space:]]+node:24-bookworm-slim' "$df" || problems+=("base image is not node:24-bookworm-slim")
  (($(grep -Ec '^FROM[[:space:]]' "$df") >= 2)) || problems+=("not multi-stage")
  grep -Eq '^USER[[:space:]]+(node|1000)' "$df" || problems+=("no USER node")
  grep -Eq '^EXPOSE[[:space:]]' "$df" || problems+=("no EXPOSE")
  { grep -Eq '^HEALTHCHECK[[:space:]]' "$df" && grep -q '/health/live' "$df"; } || problems+=("no HEALTHCHECK on /health/live")
  grep -Eq '^CMD[[:space:]]' "$df" || problems+=("no CMD")
  grep -Eq 'npm (ci|prune)[^#]*--omit=dev|npm prune --omit=dev|npm ci --omit=dev' "$df" || problems+=("no production-only dependencies step")
  # better-sqlite3 13 loads a prebuilt binary from its prebuilds/ (nothing is compiled).
  ! grep -Eq 'rm[^;]*better-sqlite3/prebuilds' "$df" || problems+=("deletes better-sqlite3's prebuilt binaries")
  if ((${#problems[@]})); then
    fail "$df: $(IFS=';'; echo "${problems[*]}")"
  else
    pass "$df: multi-stage node:24-bookworm-slim, prod deps only, USER node, EXPOSE, HEALTHCHECK /health/live, CMD"
  fi
}

found_df=0
if [[ -f Dockerfile ]]; then
  found_df=1
  dockerfile_basics Dockerfile
  if grep -Eq '^CMD .*apps/\$\{?APP\}?/dist/main\.js' Dockerfile; then
    # shellcheck disable=SC2016 # literal ${APP}
    pass 'Dockerfile: CMD runs apps/${APP}/dist/main.js'
  else
    # shellcheck disable=SC2016
    fail 'Dockerfile: CMD does not run apps/${APP}/dist/main.js'
  fi
  # every APP the Dockerfile is built with: its default, the compose build
  # args, the images of the k8s base
  mapfile -t apps < <({
    sed -n 's/^ARG[[:space:]]\+APP=\([A-Za-z0-9_-]\+\).*/\1/p' Dockerfile
    sed -n 's/.*APP:[[:space:]]*\([A-Za-z0-9_-]\+\).*/\1/p' docker-compose.yml 2>/dev/null
    sed -n 's/^[[:space:]]*image:[[:space:]]*idp\/\([A-Za-z0-9_-]\+\).*/\1/p' deploy/k8s/*.yaml 2>/dev/null
  } | sort -u)
  for app in "${apps[@]}"; do check_cmd_path Dockerfile "$app"; done
fi
for df in apps/*/Dockerfile; do
  [[ -f $df ]] || continue
  found_df=1
  dockerfile_basics "$df"
  app="$(basename "$(dirname "$df")")"
  if grep -Eq "^CMD .*apps/$app/dist/main\\.js" "$df"; then check_cmd_path "$df" "$app"; else fail "$df: CMD does not run apps/$app/dist/main.js"; fi
done
((found_df)) || fail "no Dockerfile (root Dockerfile with ARG APP, or apps/<app>/Dockerfile)"

if [[ -f .dockerignore ]]; then
  missing=()
  for p in node_modules dist .infra data .git coverage; do
    grep -Eq "^(\*\*/)?/?${p//./\\.}/?$" .dockerignore || missing+=("$p")
  done
  if ((${#missing[@]})); then fail ".dockerignore lacks: ${missing[*]}"; else pass ".dockerignore excludes node_modules dist .infra data .git coverage"; fi
else
  fail ".dockerignore missing"
fi

# ---------------------------------------------------------------- this script
if bash -n "$0"; then pass "bash -n $(basename "$0")"; else fail "bash -n $(basename "$0")"; fi

echo
echo "check-deploy: $PASS passed, $FAIL failed, $SKIP skipped"
((FAIL == 0))
