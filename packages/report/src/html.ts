import { readFileSync } from 'node:fs';
import { ScmError } from '@scm/core';
import { barChart, type Bar } from './bars.js';
import { counterChart, counterNames, counterPoints, rateChart, rateSteps } from './lines.js';
import type { ReportData } from './load.js';
import { REPORT_STYLE } from './style.js';

const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const num = (value: unknown): string =>
  typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : esc(value);

/** The bundled map script (d3-geo, topojson-client, the land outline), read once. */
let viewerScript: string | undefined;
function viewer(): string {
  if (viewerScript === undefined) {
    const url = new URL('../dist/viewer.js', import.meta.url);
    try {
      // `</script` inside the bundle would end the inline element early.
      viewerScript = readFileSync(url, 'utf8').replace(/<\/script/gi, '<\\/script');
    } catch {
      throw new ScmError('SCM_INTERNAL', `@scm/report: ${url.pathname} is missing; run the package's build`);
    }
  }
  return viewerScript;
}

/** A `<table>` with a header row; cells are escaped, numbers formatted. */
function table(id: string, head: string[], rows: unknown[][], numeric: boolean[] = []): string {
  if (rows.length === 0) return `<p class="empty" id="${esc(id)}-empty">None.</p>`;
  const th = head.map((h, i) => `<th${numeric[i] ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${num(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table id="${esc(id)}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const TOTALS = [
  'processed',
  'succeeded',
  'failed',
  'skipped',
  'added',
  'modified',
  'deleted',
  'unchanged',
  'collections',
  'duration_s',
  'items_per_second',
] as const;

function totalsSection(data: ReportData): string {
  const s = data.summary;
  const present = TOTALS.filter((k) => typeof s[k] === 'number');
  const cards = present
    .filter((k) => ['processed', 'succeeded', 'failed', 'items_per_second'].includes(k))
    .map(
      (k) =>
        `<div class="card${k === 'failed' && s[k] ? ' bad' : ''}"><b>${num(s[k])}</b><span>${esc(k.replace(/_/g, ' '))}</span></div>`,
    )
    .join('');
  const strategy =
    typeof s.strategy === 'string'
      ? `<p class="strategy">Strategy: <b>${esc(s.strategy)}</b>${typeof s.strategy_reason === 'string' ? ` (${esc(s.strategy_reason)})` : ''}</p>`
      : '';
  return `<section><h2>Totals</h2><div class="cards">${cards}</div>${strategy}
${table(
  'totals',
  ['count', 'value'],
  present.map((k) => [k, s[k]]),
  [false, true],
)}</section>`;
}

/**
 * A collection's items written per second, from its first item written to its last; blank when unknown
 * (a record without times, or a single item).
 */
function collectionRate(data: ReportData, id: string): number | string {
  const written = data.record?.items_by_collection?.[id];
  const seconds = data.record?.seconds_by_collection?.[id];
  if (!written || written < 2 || seconds === undefined || seconds <= 0) return '';
  return Math.round((written / seconds) * 10) / 10;
}

/** Per-collection counts: items written (run record), failures, and any per-collection counts the summary has. */
function collectionsSection(data: ReportData): string {
  const written = data.record?.items_by_collection ?? {};
  // `per_collection` in summary.json (rebuild); `by_collection` as earlier reports read it.
  const perSummary = (data.summary.per_collection ?? data.summary.by_collection ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  const ids = new Set([
    ...data.collections.map((c) => c.id),
    ...Object.keys(written).filter((k) => k !== ''),
    ...Object.keys(data.failures.by_collection),
    ...Object.keys(perSummary),
  ]);
  const extra = ['added', 'modified', 'deleted', 'unchanged'].filter((k) =>
    Object.values(perSummary).some((v) => typeof v?.[k] === 'number'),
  );
  const rows = [...ids].sort().map((id) => {
    const info = data.collections.find((c) => c.id === id);
    return [
      id,
      info?.title ?? '',
      written[id] ?? (data.record ? 0 : ''),
      data.failures.by_collection[id] ?? 0,
      ...extra.map((k) => perSummary[id]?.[k] ?? ''),
      collectionRate(data, id),
      (info?.bboxes ?? []).map((b) => `[${b.join(', ')}]`).join(' '),
    ];
  });
  // `validate` records the invalid Items it saw, not items written.
  const counted = data.summary.command === 'validate' ? 'invalid items' : 'items written';
  const head = ['collection', 'title', counted, 'failed', ...extra, 'items/s', 'extent'];
  const numeric = [false, false, true, true, ...extra.map(() => true), true, false];
  return `<section><h2>Collections</h2>${table('collections', head, rows, numeric)}</section>`;
}

function mapSection(data: ReportData): string {
  const sample = data.record?.footprints ?? [];
  const seen = data.record?.items_seen ?? 0;
  const boxes = data.collections.reduce((n, c) => n + c.bboxes.length, 0);
  // `validate` writes nothing: the footprints it records are those of the invalid Items.
  const what = data.summary.command === 'validate' ? 'invalid items' : 'items written';
  const caption = data.record
    ? `${sample.length.toLocaleString('en-US')} footprint(s)${data.summary.command === 'validate' ? ' of invalid items' : ''}${seen > sample.length ? `, sampled from ${seen.toLocaleString('en-US')} ${what}` : ''}; ${boxes} collection extent(s) outlined.`
    : `This run left no footprint sample; ${boxes} collection extent(s) outlined.`;
  return `<section><h2>Where</h2><p class="caption" id="map-caption">${esc(caption)}</p>
<svg id="map" role="img" aria-label="World map of footprints and collection extents"></svg>
<p class="legend"><span class="sw fp"></span> item footprint <span class="sw ex"></span> collection extent</p></section>`;
}

function failuresSection(data: ReportData): string {
  const f = data.failures;
  const bars: Bar[] = f.groups.map((g) => ({ label: `${g.error_type} · ${g.step}`, value: g.count }));
  const groups = table(
    'failures',
    ['error_type', 'step', 'count'],
    f.groups.map((g) => [g.error_type, g.step, g.count]),
    [false, false, true],
  );
  const examples = table(
    'failure-examples',
    ['error_type', 'step', 'item id', 'JSON path', 'message', 'source'],
    f.groups.flatMap((g) =>
      g.examples.map((e) => [g.error_type, g.step, e.item_id, e.path ?? '', e.message, e.source ?? '']),
    ),
  );
  const issueRows = Object.entries(f.issues_by_kind).sort((a, b) => b[1] - a[1]);
  const unreadable = f.unreadable_lines
    ? `<p class="warn">${f.unreadable_lines} line(s) of the failures file were not failure records.</p>`
    : '';
  return `<section><h2>Failures <small>(${num(f.total)})</small></h2>${unreadable}${barChart('failures-chart', bars)}${groups}
<h3>First examples</h3>${examples}
<h3>Validation issues by kind</h3>${barChart(
    'issues-chart',
    issueRows.map(([label, value]) => ({ label, value })),
  )}
${table('issues', ['kind', 'issues'], issueRows, [false, true])}</section>`;
}

function throughputSection(data: ReportData): string {
  const stages = data.record?.stages ?? [];
  const steps = rateSteps(stages);
  const overTime = steps.length
    ? `<h3>Over the run's time</h3>${rateChart('rates-chart', steps)}
${table(
  'rates',
  ['stage', 'from s', 'to s', 'count', 'per second'],
  steps.map((s) => [s.stage, s.from, s.to, s.count, s.per_second]),
  [false, true, true, true, true],
)}`
    : '';
  const bars = stages.map((s) => ({ label: s.stage, value: s.per_second }));
  const rows = stages.map((s) => [
    s.stage,
    s.count,
    s.total ?? '',
    s.failed ?? 0,
    s.seconds,
    s.per_second,
    s.status ?? '',
  ]);
  return `<section><h2>Throughput</h2>${barChart('stages-chart', bars, ' /s')}
${table('stages', ['stage', 'count', 'total', 'failed', 'seconds', 'per second', 'last status'], rows, [false, true, true, true, true, true, false])}
${overTime}${requestsOverTime(stages)}</section>`;
}

/** A harvest's requests, retries, 429 and 5xx responses over the run's time, chart and table. */
function requestsOverTime(stages: NonNullable<ReportData['record']>['stages']): string {
  const points = counterPoints(stages);
  if (points.length < 2) return '';
  const names = counterNames(points);
  return `<h3>Requests over the run's time</h3>${counterChart('requests-chart', points)}
${table(
  'requests',
  ['stage', 'at s', ...names],
  points.map((p) => [p.stage, p.at, ...names.map((name) => p.values[name] ?? 0)]),
  [false, true, ...names.map(() => true)],
)}`;
}

function notesSection(data: ReportData): string {
  const notes = Array.isArray(data.summary.notes) ? data.summary.notes : [];
  if (notes.length === 0) return '';
  return `<section><h2>Notes</h2><ul id="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>`;
}

/** What the map script needs, as JSON safe inside a `<script>` element. */
function mapData(data: ReportData): string {
  const json = JSON.stringify({ footprints: data.record?.footprints ?? [], collections: data.collections });
  return json.replace(/</g, '\\u003c');
}

/**
 * One self-contained HTML page for a run: tables rendered here (readable
 * without script), bar charts as inline SVG, and the map drawn on open by the
 * inlined viewer bundle. No request leaves the page.
 */
export function renderReportHtml(data: ReportData): string {
  const s = data.summary;
  const title = `${esc(s.command ?? 'run')}${s.mode ? ` (${esc(s.mode)})` : ''}`;
  const when = [s.started_at, s.finished_at]
    .filter((t) => typeof t === 'string')
    .map(esc)
    .join(' → ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Run report: ${title}</title><style>${REPORT_STYLE}</style></head>
<body><header><h1>${title}</h1><p>${when}${when ? ' · ' : ''}report made ${esc(data.generated_at)}</p></header><main>
${totalsSection(data)}
${mapSection(data)}
${collectionsSection(data)}
${failuresSection(data)}
${throughputSection(data)}
${notesSection(data)}
</main>
<script type="application/json" id="report-data">${mapData(data)}</script>
<script>${viewer()}</script>
</body></html>
`;
}
