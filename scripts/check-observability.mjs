#!/usr/bin/env node
// Offline check of deploy/observability (part of `npm run lint`): the Grafana
// dashboard and the Prometheus alert rules parse, and every PromQL expression
// in them names only metrics of metrics-catalog.json, with labels those
// metrics have. A renamed metric then fails the lint instead of leaving an
// empty panel or an alert that can never fire.
//
//   node scripts/check-observability.mjs                 # check, exit 1 on a problem
//   node scripts/check-observability.mjs --list-metrics  # the metric names used, as JSON
//   node scripts/check-observability.mjs --dir <path>    # another copy of deploy/observability
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { dir: { type: 'string' }, 'list-metrics': { type: 'boolean' } },
});
const dir = args.dir ?? join(root, 'deploy', 'observability');
const FILES = {
  catalog: join(dir, 'metrics-catalog.json'),
  dashboard: join(dir, 'grafana-dashboard.json'),
  rules: join(dir, 'prometheus-alerts.yaml'),
};

/** Labels Prometheus adds at scrape time; `le` is every histogram bucket's. */
const TARGET_LABELS = ['job', 'instance'];
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];
/** PromQL words that are not metric names (aggregation modifiers, operators, keywords). */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/** Every PromQL expression of a Grafana dashboard: panel targets (rows included) and query variables. */
export function dashboardExpressions(dashboard) {
  const found = [];
  const visit = (panels, where) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr === 'string')
          found.push({ where: `${where} "${panel.title}"`, expr: target.expr });
      }
      visit(panel.panels, where);
    }
  };
  visit(dashboard.panels, 'panel');
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (typeof query === 'string') found.push({ where: `variable $${variable.name}`, expr: query });
  }
  return found;
}

export function ruleExpressions(rules) {
  return (rules.groups ?? []).flatMap((group) =>
    (group.rules ?? []).map((rule) => ({
      where: `rule ${rule.alert ?? rule.record} (group ${group.name})`,
      expr: String(rule.expr ?? ''),
    })),
  );
}

/**
 * The selectors of an expression: each metric name with the label names its
 * matchers use. Strings, Grafana variables, durations, grouping clauses and
 * function calls are taken out first; what is left that looks like an
 * identifier is a metric name.
 */
export function selectorsOf(expr) {
  const rest = expr
    .replace(/label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*\w+\s*\)/g, '$1')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, '1')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const selectors = [];
  // A name followed by matchers, or a bare name that is not a function call.
  const pattern =
    /([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{([^}]*)\}|([A-Za-z_:][A-Za-z0-9_:]*)(?!\s*[({\w])/g;
  for (const m of rest.matchAll(pattern)) {
    const name = m[1] ?? m[3];
    if (name === undefined || KEYWORDS.has(name.toLowerCase()) || /^\d/.test(name)) continue;
    const labels =
      m[2] === undefined
        ? []
        : [...m[2].matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]);
    selectors.push({ name, labels });
  }
  return selectors;
}

/** The catalog entry a series name belongs to (`x_bucket` → histogram `x`). */
export function catalogEntry(catalog, name) {
  const byName = new Map(catalog.metrics.map((m) => [m.name, m]));
  const direct = byName.get(name);
  if (direct) return { entry: direct, suffix: '' };
  for (const suffix of HISTOGRAM_SUFFIXES) {
    const base = byName.get(name.slice(0, -suffix.length));
    if (name.endsWith(suffix) && base?.type === 'histogram') return { entry: base, suffix };
  }
  return undefined;
}

function load() {
  const catalog = JSON.parse(readFileSync(FILES.catalog, 'utf8'));
  const dashboard = JSON.parse(readFileSync(FILES.dashboard, 'utf8'));
  const rules = parseYaml(readFileSync(FILES.rules, 'utf8'));
  return { catalog, dashboard, rules };
}

export function check({ catalog, dashboard, rules }) {
  const problems = [];
  const names = new Set();
  const seen = new Set();
  for (const m of catalog.metrics ?? []) {
    if (seen.has(m.name)) problems.push(`catalog: ${m.name} listed twice`);
    seen.add(m.name);
    if (!['counter', 'gauge', 'histogram', 'summary'].includes(m.type))
      problems.push(`catalog: ${m.name} has type ${m.type}`);
  }
  const datasource = (dashboard.templating?.list ?? []).find(
    (v) => v.type === 'datasource' && v.query === 'prometheus',
  );
  if (!datasource)
    problems.push(
      'dashboard: no Prometheus datasource variable (templating type "datasource", query "prometheus")',
    );
  if (!Array.isArray(rules?.groups) || rules.groups.length === 0)
    problems.push('rules: no `groups:`');
  const alerts = new Set();
  for (const group of rules?.groups ?? []) {
    if (!group.name) problems.push('rules: a group without a name');
    for (const rule of group.rules ?? []) {
      if (!rule.alert || !rule.expr)
        problems.push(`rules: group ${group.name} has a rule without alert or expr`);
      if (alerts.has(rule.alert)) problems.push(`rules: alert ${rule.alert} defined twice`);
      alerts.add(rule.alert);
    }
  }
  const expressions = [...dashboardExpressions(dashboard), ...ruleExpressions(rules ?? {})];
  if (expressions.length === 0) problems.push('no PromQL expression found');
  for (const { where, expr } of expressions) {
    if (
      /\{[^}]*$/.test(expr) ||
      (expr.match(/\(/g)?.length ?? 0) !== (expr.match(/\)/g)?.length ?? 0)
    )
      problems.push(`${where}: unbalanced braces or parentheses in ${expr}`);
    for (const { name, labels } of selectorsOf(expr)) {
      const found = catalogEntry(catalog, name);
      if (!found) {
        problems.push(`${where}: ${name} is not in deploy/observability/metrics-catalog.json`);
        continue;
      }
      names.add(found.entry.name);
      const allowed = new Set([
        ...found.entry.labels,
        ...TARGET_LABELS,
        ...(found.suffix === '_bucket' ? ['le'] : []),
      ]);
      for (const label of labels)
        if (!allowed.has(label)) problems.push(`${where}: ${name} has no label ${label}`);
    }
  }
  return { problems, names: [...names].sort() };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const result = check(load());
  if (args['list-metrics']) {
    process.stdout.write(`${JSON.stringify(result.names)}\n`);
  } else if (result.problems.length > 0) {
    console.error(`observability check failed:\n  ${result.problems.join('\n  ')}`);
    process.exit(1);
  } else {
    console.log(
      `observability check: ${result.names.length} metrics used by the dashboard and the alert rules, all in the catalog`,
    );
  }
  if (result.problems.length > 0) process.exitCode = 1;
}
