import { toRfc3339 } from '@scm/core';

/** Counts of one rule. Counts are of values: a wildcard rule counts each value it writes. */
export interface RuleCounts {
  /** Index of the rule in `mappings` (0-based), or `id_template`. */
  rule: number | 'id_template';
  /** The rule's target path. */
  target: string;
  /** The rule's source (path, paths joined by " | ", `constant` or `template`). */
  source: string;
  /** Values written. */
  mapped: number;
  /** Values that failed (conversion error, required value missing). */
  failed: number;
  /** Missing values replaced by the rule's `default` (or a lookup's `on_miss: default`). */
  defaulted: number;
  /** Missing values of optional rules, and values kept by `overwrite: false`. */
  skipped: number;
}

/** A failed record as kept in the audit (the first `maxFailures` only). */
export interface AuditFailure {
  /** Id of the failed item or record (as in the Failure). */
  item_id: string;
  /** Rule index, `id_template`, or `join` for an enrichment key problem. */
  rule: number | 'id_template' | 'join';
  /** The rule's target path (the key path for `join`). */
  target: string;
  /** Source field the failure is about. */
  field?: string;
  /** The offending value. */
  value?: unknown;
  /** What went wrong. */
  message: string;
  /** File of the record. */
  file?: string;
  /** Line (or row) of the record in that file. */
  line?: number;
}

/** Counts of an enrichment run ({@link enrichItems}). */
export interface EnrichmentCounts {
  /** Items read (failures passed through not included). */
  items: number;
  /** Items that found a sidecar row and were enriched. */
  matched: number;
  /** Items with no sidecar row (kept unchanged or failed, per `onMissing`). */
  unmatched: number;
  /** Items that became failures (mapping error, missing key, ambiguous key). */
  failed: number;
  /** Sidecar rows loaded. */
  sidecar_rows: number;
  /** Sidecar rows that repeated a key already seen. */
  duplicate_keys: number;
  /** Sidecar rows without a usable key. */
  rows_without_key: number;
  /** Sidecar rows never used by an item. */
  unused_rows: number;
}

/** The audit as written to the transformation audit log file. */
export interface AuditReport {
  /** Mapping file, when known. */
  mapping?: string;
  started_at: string;
  updated_at: string;
  records: {
    /** Records seen by the mapping. */
    total: number;
    /** Records mapped without error. */
    mapped: number;
    /** Records that became failures here. */
    failed: number;
    /** Failures from an earlier step that were passed through untouched. */
    passed_through_failures: number;
  };
  rules: RuleCounts[];
  enrichment?: EnrichmentCounts;
  /** The first failures, for a person to look at. */
  failures: AuditFailure[];
  /** Failures not listed in `failures`. */
  failures_omitted: number;
}

/**
 * Counts of a mapping run, per rule and in total. A compiled mapping has
 * its own (`mapping.audit`) that accumulates across calls; create one per
 * run with {@link createAudit} and pass it in the options to keep runs apart.
 */
export interface Audit {
  /** Record totals (live counters). */
  readonly records: AuditReport['records'];
  /** Per-rule counts, in rule order (live counters). */
  readonly rules: RuleCounts[];
  /** Enrichment counts, once {@link enrichItems} used this audit. */
  enrichment: EnrichmentCounts | undefined;
  /** The first failures. */
  readonly failures: AuditFailure[];
  /** Plain JSON for the audit log file. */
  toJSON(): AuditReport;
}

/** Options of {@link createAudit}. */
export interface CreateAuditOptions {
  /** How many failures to keep in detail (default 100); the rest are only counted. */
  maxFailures?: number;
}

/** The rules of a mapping, as an audit needs them. */
export interface AuditRuleInfo {
  rule: number | 'id_template';
  target: string;
  source: string;
}

interface AuditState {
  byRule: Map<AuditRuleInfo, RuleCounts>;
  maxFailures: number;
  omitted: number;
  startedAt: Date;
  updatedAt: Date;
  file?: string;
}

const states = new WeakMap<Audit, AuditState>();

/**
 * Creates an empty audit. Given the mapping, every rule is listed from the
 * start (with zero counts), so rules that never fired show up too.
 */
export function createAudit(
  mapping?: { file?: string; rules: readonly AuditRuleInfo[] },
  options: CreateAuditOptions = {},
): Audit {
  const state: AuditState = {
    byRule: new Map(),
    maxFailures: options.maxFailures ?? 100,
    omitted: 0,
    startedAt: new Date(),
    updatedAt: new Date(),
  };
  if (mapping?.file) state.file = mapping.file;
  const audit: Audit = {
    records: { total: 0, mapped: 0, failed: 0, passed_through_failures: 0 },
    rules: [],
    enrichment: undefined,
    failures: [],
    toJSON(): AuditReport {
      const report: AuditReport = {
        started_at: toRfc3339(state.startedAt),
        updated_at: toRfc3339(state.updatedAt),
        records: { ...audit.records },
        rules: audit.rules.map((r) => ({ ...r })),
        failures: audit.failures.map((f) => ({ ...f })),
        failures_omitted: state.omitted,
      };
      if (state.file) report.mapping = state.file;
      if (audit.enrichment) report.enrichment = { ...audit.enrichment };
      return report;
    },
  };
  states.set(audit, state);
  if (mapping) for (const info of mapping.rules) ruleCounts(audit, info);
  return audit;
}

/** The live counters of one rule (created on first use). */
export function ruleCounts(audit: Audit, info: AuditRuleInfo): RuleCounts {
  const state = states.get(audit)!;
  let counts = state.byRule.get(info);
  if (!counts) {
    counts = {
      rule: info.rule,
      target: info.target,
      source: info.source,
      mapped: 0,
      failed: 0,
      defaulted: 0,
      skipped: 0,
    };
    state.byRule.set(info, counts);
    audit.rules.push(counts);
  }
  return counts;
}

/** Marks the audit as updated now. */
export function touchAudit(audit: Audit): void {
  const state = states.get(audit);
  if (state) state.updatedAt = new Date();
}

/** Keeps a failure in detail, or counts it as omitted past the limit. */
export function noteFailure(audit: Audit, failure: AuditFailure): void {
  const state = states.get(audit)!;
  if (audit.failures.length < state.maxFailures) audit.failures.push(failure);
  else state.omitted += 1;
}

/** Starts enrichment counters on an audit (idempotent). */
export function enrichmentCounts(audit: Audit): EnrichmentCounts {
  audit.enrichment ??= {
    items: 0,
    matched: 0,
    unmatched: 0,
    failed: 0,
    sidecar_rows: 0,
    duplicate_keys: 0,
    rows_without_key: 0,
    unused_rows: 0,
  };
  return audit.enrichment;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** A plain-text summary of an audit, for people (a terminal or a log). */
export function formatAudit(audit: Audit): string {
  const report = audit.toJSON();
  const lines: string[] = [];
  const r = report.records;
  lines.push(`Transformation audit${report.mapping ? ` (${report.mapping})` : ''}`);
  lines.push(
    `  records: ${r.total} seen, ${r.mapped} mapped, ${r.failed} failed` +
      (r.passed_through_failures ? `, ${r.passed_through_failures} earlier failures passed through` : ''),
  );
  if (report.enrichment) {
    const e = report.enrichment;
    lines.push(
      `  enrichment: ${e.items} items, ${e.matched} matched, ${e.unmatched} without a sidecar row, ${e.failed} failed; ` +
        `${e.sidecar_rows} sidecar rows, ${e.unused_rows} unused, ${e.duplicate_keys} duplicate keys, ${e.rows_without_key} without a key`,
    );
  }
  if (report.rules.length > 0) {
    const labels = report.rules.map(
      (rule) =>
        `${rule.rule === 'id_template' ? 'id_template' : `#${rule.rule}`} ${rule.target} <- ${rule.source}`,
    );
    const width = Math.min(70, Math.max(4, ...labels.map((l) => l.length)));
    lines.push(
      `  ${pad('rule', width)}  ${pad('mapped', 8, true)}  ${pad('defaulted', 9, true)}  ${pad('skipped', 8, true)}  ${pad('failed', 8, true)}`,
    );
    report.rules.forEach((rule, i) => {
      let label = labels[i]!;
      if (label.length > width) label = `${label.slice(0, width - 3)}...`;
      lines.push(
        `  ${pad(label, width)}  ${pad(String(rule.mapped), 8, true)}  ${pad(String(rule.defaulted), 9, true)}  ${pad(String(rule.skipped), 8, true)}  ${pad(String(rule.failed), 8, true)}`,
      );
    });
  }
  if (report.failures.length > 0) {
    lines.push(
      `  failures (first ${report.failures.length}${report.failures_omitted ? ` of ${report.failures.length + report.failures_omitted}` : ''}):`,
    );
    for (const f of report.failures) {
      const where = f.file ? `${f.file}${f.line !== undefined ? `:${f.line}` : ''}` : f.item_id;
      lines.push(
        `    ${where} ${typeof f.rule === 'number' ? `rule #${f.rule}` : f.rule} ${f.target}: ${f.message}`,
      );
    }
  }
  return lines.join('\n');
}
