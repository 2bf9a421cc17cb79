"""Checks of scripts/check-deploy.sh on the Kubernetes base and the compose edge
that need more than one object at a time: a PodDisruptionBudget per
Deployment, the NetworkPolicies, the headless gRPC Services, the
ServiceMonitor, the Ingress, and that no route or published port reaches an
admin port (/health/*, /metrics, /admin/* on ADMIN_PORT).

Loaded by check-deploy.sh (which parses the YAML); stdlib only.
"""
import re


def _matches(selector, labels):
    """A label selector (matchLabels + matchExpressions) against a label set."""
    selector = selector or {}
    for k, v in (selector.get('matchLabels') or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get('matchExpressions') or []:
        key, op, values = e.get('key'), e.get('operator'), set(e.get('values') or [])
        if op == 'In' and labels.get(key) not in values:
            return False
        if op == 'NotIn' and key in labels and labels[key] in values:
            return False
        if op == 'Exists' and key not in labels:
            return False
        if op == 'DoesNotExist' and key in labels:
            return False
    return bool(selector.get('matchLabels') or selector.get('matchExpressions'))


def _pod_labels(dep):
    return (((dep.get('spec') or {}).get('template') or {}).get('metadata') or {}).get('labels') or {}


def _container_ports(dep):
    pod = ((dep.get('spec') or {}).get('template') or {}).get('spec') or {}
    return {p.get('name'): p.get('containerPort') for c in pod.get('containers') or [] for p in c.get('ports') or []}


def _app_of(pod_labels, deps):
    for name, d in deps.items():
        if pod_labels == _pod_labels(d) or all(_pod_labels(d).get(k) == v for k, v in pod_labels.items()):
            return name
    return None


def _admin_service_port(svc, dep):
    """Service ports (by name and number) that lead to the pod's admin port."""
    admin = _container_ports(dep).get('admin')
    out = set()
    for sp in (svc.get('spec') or {}).get('ports') or []:
        tp = sp.get('targetPort', sp.get('port'))
        if tp == 'admin' or (admin is not None and tp == admin):
            out |= {sp.get('name'), sp.get('port')}
    return out - {None}


def check_pdbs(objs, deps, P, F):
    pdbs = objs('PodDisruptionBudget')
    missing = [n for n, d in sorted(deps.items())
               if not any(_matches((p.get('spec') or {}).get('selector'), _pod_labels(d)) for p in pdbs)]
    if missing:
        F(f'no PodDisruptionBudget selects the pods of: {", ".join(missing)}')
    else:
        P(f'every Deployment has a PodDisruptionBudget ({len(pdbs)} PDBs)')


def _rule_sources(rule):
    """('any',) | set of ('pod', app-or-'*') / ('ns', name) for one ingress rule."""
    peers = rule.get('from')
    if not peers:
        return None  # no `from`: everyone
    out = set()
    for peer in peers:
        if 'ipBlock' in peer:
            out.add(('ip', str(peer['ipBlock'].get('cidr'))))
            continue
        ns = peer.get('namespaceSelector')
        pod = peer.get('podSelector')
        if ns is not None:
            name = (ns.get('matchLabels') or {}).get('kubernetes.io/metadata.name')
            out.add(('ns', name or '*'))
        elif pod is not None:
            app = (pod.get('matchLabels') or {}).get('app.kubernetes.io/name')
            out.add(('pod', app or '*'))
    return out


def check_network_policies(objs, deps, EXPECT, GRPC_CALLERS, PUBLIC_APPS, P, F):
    nps = objs('NetworkPolicy')
    problems = []
    if not any((np.get('spec') or {}).get('podSelector') == {} and 'Ingress' in ((np.get('spec') or {}).get('policyTypes') or [])
               and not (np.get('spec') or {}).get('ingress') for np in nps):
        problems.append('no default-deny ingress policy (podSelector: {}, no rules)')
    for name, d in sorted(deps.items()):
        mine = [np for np in nps if (np.get('spec') or {}).get('podSelector') and
                _matches((np.get('spec') or {}).get('podSelector'), _pod_labels(d))]
        if not mine:
            problems.append(f'{name}: no NetworkPolicy selects its pods')
            continue
        ports = _container_ports(d)
        by_number = {v: k for k, v in ports.items()}
        allowed = {}  # port name -> set of sources
        for np in mine:
            for rule in (np.get('spec') or {}).get('ingress') or []:
                src = _rule_sources(rule)
                rule_ports = [p.get('port') for p in rule.get('ports') or []] or list(ports)
                for p in rule_ports:
                    pname = p if isinstance(p, str) else by_number.get(p, p)
                    allowed.setdefault(pname, set())
                    allowed[pname] |= {('any', '*')} if src is None else src
        for pname, srcs in allowed.items():
            if ('any', '*') in srcs or any(kind == 'ip' for kind, _ in srcs):
                problems.append(f'{name}: port {pname} open to any source')
            outside = {s for s in srcs if s[0] == 'ns'}
            if pname == 'admin':
                if outside - {('ns', 'monitoring')}:
                    problems.append(f'{name}: admin port open to namespaces {sorted(x[1] for x in outside)}')
            elif pname == 'http' and name in PUBLIC_APPS:
                if outside - {('ns', 'ingress-nginx')}:
                    problems.append(f'{name}: http open to namespaces other than the ingress controller')
            elif outside:
                problems.append(f'{name}: port {pname} reachable from outside the namespace')
            if pname == 'grpc':
                pods = {s[1] for s in srcs if s[0] == 'pod'}
                if '*' in pods or pods - GRPC_CALLERS.get(name, set()):
                    problems.append(f'{name}: gRPC open to {sorted(pods)}, callers are {sorted(GRPC_CALLERS.get(name, set()))}')
        if name in GRPC_CALLERS:
            got = {s[1] for s in allowed.get('grpc', set()) if s[0] == 'pod'}
            if got != GRPC_CALLERS[name]:
                problems.append(f'{name}: gRPC allowed from {sorted(got)}, want exactly {sorted(GRPC_CALLERS[name])}')
        if name in PUBLIC_APPS and ('ns', 'ingress-nginx') not in allowed.get('http', set()):
            problems.append(f'{name}: the ingress controller cannot reach its http port')
        if 'admin' not in allowed:
            problems.append(f'{name}: admin port not open to the namespace/monitoring (probes from Prometheus fail)')
    if problems:
        F('NetworkPolicies: ' + '; '.join(problems))
    else:
        P(f'NetworkPolicies: default deny; one per app; public http ({", ".join(sorted(PUBLIC_APPS))}) from the ingress '
          'controller only; gRPC from its callers only; admin ports from the namespace + monitoring only')


def check_headless(svcs, cms, deps, EXPECT, P, F):
    problems = []
    data = ((cms.get('idp-config') or {}).get('data')) or {}
    for app, var in (('token-service', 'TOKEN_SERVICE_GRPC_URL'), ('session-service', 'SESSION_SERVICE_GRPC_URL')):
        d = deps.get(app)
        headless = [s for n, s in svcs.items() if (s.get('spec') or {}).get('clusterIP') == 'None'
                    and d and all(_pod_labels(d).get(k) == v for k, v in ((s.get('spec') or {}).get('selector') or {}).items())
                    and (s.get('spec') or {}).get('selector')
                    and any(p.get('port') == EXPECT[app]['grpc'] for p in (s.get('spec') or {}).get('ports') or [])]
        if not headless:
            problems.append(f'{app}: no headless Service (clusterIP: None) with its gRPC port')
            continue
        names = {s['metadata']['name'] for s in headless}
        url = str(data.get(var, ''))
        m = re.match(r'^dns:///([^:/.]+)(?:\.[^:]*)?:(\d+)$', url)
        if not m or m.group(1) not in names or int(m.group(2)) != EXPECT[app]['grpc']:
            problems.append(f'{var}={url!r} is not dns:///<{"|".join(sorted(names))}>:{EXPECT[app]["grpc"]}')
    if problems:
        F('headless gRPC Services: ' + '; '.join(problems))
    else:
        P('headless Services for token-service and session-service gRPC; the clients use dns:/// (round-robin over pods)')


def check_service_monitor(objs, svcs, deps, P, F):
    sms = [o for o in objs('ServiceMonitor') if o.get('apiVersion') == 'monitoring.coreos.com/v1']
    problems = []
    if not sms:
        F('no ServiceMonitor (monitoring.coreos.com/v1)')
        return
    for name, d in sorted(deps.items()):
        ok = False
        for sm in sms:
            spec = sm.get('spec') or {}
            for n, s in svcs.items():
                if not _matches(spec.get('selector'), (s.get('metadata') or {}).get('labels') or {}):
                    continue
                if not all(_pod_labels(d).get(k) == v for k, v in ((s.get('spec') or {}).get('selector') or {}).items()):
                    continue
                admin = _admin_service_port(s, d)
                for ep in spec.get('endpoints') or []:
                    if (ep.get('port') in admin or ep.get('targetPort') in ('admin', _container_ports(d).get('admin'))) \
                            and ep.get('path', '/metrics') == '/metrics':
                        ok = True
        if not ok:
            problems.append(f'{name}: not scraped on its admin port')
    if problems:
        F('ServiceMonitor: ' + '; '.join(problems))
    else:
        P('ServiceMonitor scrapes /metrics on every app\'s admin port')


def ingress_routes(objs):
    """[(path, pathType, service, port)] of every Ingress rule."""
    out = []
    for ing in objs('Ingress'):
        spec = ing.get('spec') or {}
        for rule in spec.get('rules') or []:
            for p in ((rule.get('http') or {}).get('paths')) or []:
                svc = ((p.get('backend') or {}).get('service')) or {}
                port = svc.get('port') or {}
                out.append((p.get('path'), p.get('pathType'), svc.get('name'), port.get('name', port.get('number'))))
        db = ((spec.get('defaultBackend') or {}).get('service')) or {}
        if db:
            out.append(('/', 'Prefix', db.get('name'), (db.get('port') or {}).get('name', (db.get('port') or {}).get('number'))))
    return out


def check_exposure(objs, svcs, deps, EXPECT, P, F):
    problems = []
    routes = ingress_routes(objs)
    for path, _, svc_name, port in routes:
        s = svcs.get(svc_name)
        d = deps.get(svc_name)
        if not s or not d:
            problems.append(f'Ingress path {path} -> unknown Service {svc_name}')
            continue
        if port in _admin_service_port(s, d):
            problems.append(f'Ingress path {path} reaches the admin port of {svc_name}')
    table = {(p, t, s, port) for p, t, s, port in routes}
    want = {('/introspect', 'Exact', 'introspection-service', 'http'), ('/', 'Prefix', 'auth-api', 'http')}
    if not want <= table:
        problems.append(f'Ingress routes {sorted(table, key=str)} lack {sorted(want - table, key=str)}')
    for n, s in svcs.items():
        t = (s.get('spec') or {}).get('type', 'ClusterIP')
        d = deps.get(n) or next((dd for dd in deps.values() if all(
            _pod_labels(dd).get(k) == v for k, v in ((s.get('spec') or {}).get('selector') or {}).items())), None)
        if t in ('LoadBalancer', 'NodePort') and d and _admin_service_port(s, d):
            problems.append(f'Service {n} ({t}) exposes an admin port')
    if problems:
        F('Ingress / exposure: ' + '; '.join(problems))
    else:
        P('Ingress: /introspect -> introspection-service, / -> auth-api (http ports); no Ingress path or '
          'external Service reaches an admin port')
    return routes


def check(objs, deps, svcs, cms, EXPECT, GRPC_CALLERS, PUBLIC_APPS, P, F):
    check_pdbs(objs, deps, P, F)
    check_network_policies(objs, deps, EXPECT, GRPC_CALLERS, PUBLIC_APPS, P, F)
    check_headless(svcs, cms, deps, EXPECT, P, F)
    check_service_monitor(objs, svcs, deps, P, F)
    check_exposure(objs, svcs, deps, EXPECT, P, F)


# ------------------------------------------------------------ compose edge
LOCATION = re.compile(r'location\s+(=\s+)?(\S+)\s*\{[^}]*?proxy_pass\s+\$(\w+)\s*;', re.S)
SET_VAR = re.compile(r'set\s+\$(\w+)\s+http://([\w.-]+):(\d+)\s*;')


def edge_routes(conf_text):
    """[(path, 'Exact'|'Prefix', host, port)] of the edge's locations."""
    targets = {m.group(1): (m.group(2), int(m.group(3))) for m in SET_VAR.finditer(conf_text)}
    out = []
    for m in LOCATION.finditer(conf_text):
        host, port = targets.get(m.group(3), (None, None))
        out.append((m.group(2), 'Exact' if m.group(1) else 'Prefix', host, port))
    return out


def check_compose_edge(services, EXPECT, routes, P, F, read):
    problems = []
    edge = services.get('edge')
    published = {}
    for n, s in services.items():
        if 'embedded' in (s.get('profiles') or []):
            continue
        for p in s.get('ports') or []:
            m = re.match(r'^(?:[\d.]+:)?(\d+):(\d+)', str(p)) if not isinstance(p, dict) else None
            host, target = (int(m.group(1)), int(m.group(2))) if m else (p.get('published'), p.get('target'))
            published[int(host) if host else None] = (n, int(target) if target else None)
    if published.get(3000, (None,))[0] != 'edge':
        problems.append(f'host port 3000 is published by {published.get(3000, (None,))[0]!r}, not the edge')
    admin_ports = {e['admin'] for e in EXPECT.values()}
    for host, (n, target) in published.items():
        if n in EXPECT and (target in admin_ports or host in admin_ports):
            problems.append(f'{n} publishes an admin port ({host})')
        elif n in EXPECT:
            problems.append(f'{n} is published directly ({host}); only the edge is')
    conf = None
    for v in (edge or {}).get('volumes') or []:
        src = v.split(':', 1)[0] if isinstance(v, str) else v.get('source')
        if src and src.endswith('.conf'):
            conf = src
    if not edge:
        problems.append('no `edge` service')
    elif not conf:
        problems.append('edge mounts no nginx .conf')
    else:
        got = edge_routes(read(conf))
        http_port = {n: e['http'] for n, e in EXPECT.items()}
        as_k8s = {(p, t, h, 'http' if http_port.get(h) == port else port) for p, t, h, port in got}
        k8s = {(p, t, s, port) for p, t, s, port in routes}
        if as_k8s != k8s:
            problems.append(f'{conf} routes {sorted(as_k8s, key=str)} != Ingress routes {sorted(k8s, key=str)}')
    if problems:
        F('compose edge: ' + '; '.join(problems))
    else:
        P(f'compose edge: publishes 3000 alone, {conf} has the Ingress\'s route table, no admin port published')
