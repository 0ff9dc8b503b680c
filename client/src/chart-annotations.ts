/**
 * Marks on the charts' time axis: alert firings and resolutions (GET /api/v1/alerts/transitions,
 * every one the server logged; GET /api/v1/alerts gives only each alert's latest episode) and
 * contract starts, ends and notice deadlines (GET /api/v1/contracts). Pure: the lists come in, marks in a time range go out.
 */
/** What a mark needs of an alert transition (api.ts) and of a contract (Contract): kept apart from
 * api.ts so the server's test build, which has no DOM, can check this module. */
export interface AlertTransitionTimes {
  labels: Record<string, string>;
  to: 'firing' | 'resolved';
  at: string;
}
export interface ContractDates {
  id: string;
  customer: string;
  start: string;
  end: string;
  noticeDays: number;
}

export type MarkKind = 'alert-fired' | 'alert-resolved' | 'contract-start' | 'contract-end' | 'notice-deadline';

export interface Mark {
  kind: MarkKind;
  atMs: number;
  /** What hover and focus show: "alert fired: GpuDown (critical)". */
  label: string;
}

/** The shape each kind is drawn with, beside its colour (charts.css `.mark-<kind>`): meaning never by colour alone. */
export const MARK_GLYPH: Record<MarkKind, string> = {
  'alert-fired': '▲',
  'alert-resolved': '▽',
  'contract-start': '■',
  'contract-end': '□',
  'notice-deadline': '◆',
};

const DAY_MS = 86_400_000;

/** Every firing and resolution of the range, from the server's log of them. */
export function transitionMarks(transitions: readonly AlertTransitionTimes[]): Mark[] {
  return transitions.map((t) => {
    const name = `${t.labels.alertname ?? 'alert'}${t.labels.severity ? ` (${t.labels.severity})` : ''}`;
    return t.to === 'firing'
      ? { kind: 'alert-fired', atMs: Date.parse(t.at), label: `alert fired: ${name}` }
      : { kind: 'alert-resolved', atMs: Date.parse(t.at), label: `alert resolved: ${name}` };
  });
}

/**
 * A contract's start (its first billed day, 00:00 UTC), its end (the day after its last billed
 * day) and its notice deadline (`noticeDays` before the end: the last day to give notice).
 */
export function contractMarks(contracts: readonly ContractDates[]): Mark[] {
  const out: Mark[] = [];
  for (const c of contracts) {
    const who = `#${c.id} ${c.customer}`;
    const startMs = Date.parse(`${c.start}T00:00:00Z`);
    const endMs = Date.parse(`${c.end}T00:00:00Z`) + DAY_MS;
    out.push({ kind: 'contract-start', atMs: startMs, label: `contract start: ${who}` });
    out.push({ kind: 'contract-end', atMs: endMs, label: `contract end: ${who}` });
    if (c.noticeDays > 0) out.push({ kind: 'notice-deadline', atMs: endMs - c.noticeDays * DAY_MS, label: `notice deadline: ${who}` });
  }
  return out;
}

/** The marks inside [fromMs, toMs], in time order. */
export function marksIn(marks: readonly Mark[], fromMs: number, toMs: number): Mark[] {
  return marks.filter((m) => Number.isFinite(m.atMs) && m.atMs >= fromMs && m.atMs <= toMs).sort((a, b) => a.atMs - b.atMs);
}
