import { authHeaders, signInNeeded, type WhoAmI } from './session.js';

/**
 * The REST answers the page reads (README "API"), typed to the fields it uses. Live figures never come
 * from here: they arrive on the socket. REST is read once per section, when a chart's range changes,
 * and again only when a live message says the thing it shows has changed.
 */

export interface SellableBlock {
  id: string;
  hall: string;
  pods: string[];
  gpus: number;
  watts: number;
  addedWatts: number;
  valueUsdPerMonth: number;
}

export interface Risk {
  oversold: boolean;
  shortfallGpus: number;
  firstShortfallAt: string | null;
  firstRiskAt: string | null;
}

export interface CapacityReport {
  gpus: { total: number; up: number; down: number; sold: number; internal: number; reserve: number; sellable: number };
  power: { feedWatts: number; facilityDrawWatts: number; headroomWatts: number; strandedWatts: number; strandedGpus: number };
  sellable: { blocks: SellableBlock[]; gpus: number; watts: number; limitedBy: string; valueUsdPerMonth: number; valueUsdOverHorizon: number };
  reserve: { gpus: number };
  risk: Risk;
  forecast: { horizonDays: number; basis: string; points: Array<[number, number, number]> };
  updatedAt: string;
}

export interface Contract {
  id: string;
  customer: string;
  capacity: { pods?: number; gpus?: number; watts?: number };
  start: string;
  end: string;
  monthlyPriceUsd: number;
  ramp: Array<{ months: number; factor: number }>;
  noticeDays: number;
  status: string;
  pods: string[];
  shortfallPods: number;
}

/** The owner's planned internal demand (GET /api/v1/demand-plans): days in UTC, `end` inclusive, null = until further notice. */
export interface DemandPlan {
  id: number;
  name: string;
  gpus: number;
  start: string;
  end: string | null;
  note: string | null;
  createdAt: string;
}

export interface Valuation {
  asOf: string;
  phase: string;
  monthlyUsd: number;
  currentMonthUsd: number;
  tcvUsd: number;
  revenueToDateUsd: number;
  guaranteedUsd: number;
  remainingUsd: number;
  gpus: number;
  facilityWatts: number;
}

export interface WhatIfRequest {
  pods: number;
  start: string;
  months: number;
  monthlyPriceUsd?: number;
}

export interface WhatIfAnswer {
  gpus: number;
  pods: number;
  facilityWatts: number;
  months: number;
  monthlyUsd: number;
  totalUsd: number;
  priceBook: { valueUsdPerMonth: number; basis: string; atGpuHourUsd: number; atMwMonthUsd: number };
  fitsSellable: boolean;
  risk: Risk;
}

export interface AlertView {
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  activeSince: string;
  startsAt: string | null;
  endsAt: string | null;
}

export interface Delivery {
  id: string;
  receiverId: string;
  groupKey: string;
  state: string;
  createdAtMs: number;
  attempts: number;
  lastError: string | null;
  doneAtMs: number | null;
}

export type HistoryMetric =
  | 'utilization'
  | 'power_watts'
  | 'facility_watts'
  | 'gpus_busy'
  | 'gpus_held'
  | 'gpus_idle'
  | 'gpus_sold'
  | 'gpus_down'
  | 'gpus_unknown';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The server's reason in an error answer (`{ error }`), else the status text. */
function reasonOf(body: unknown, response: Response): string {
  return body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : response.statusText;
}

/**
 * A request with this browser's token. A 401 (no token where one is needed, or one the server
 * does not know) also asks the page for a sign-in; a 403 (too weak a role) is the caller's to
 * show where it happened.
 */
async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: { ...authHeaders(), ...Object.fromEntries(new Headers(init.headers).entries()) } });
  if (response.ok) return response;
  const reason = reasonOf(await response.json().catch(() => null), response);
  if (response.status === 401) signInNeeded(reason);
  throw new ApiError(response.status, `${path}: ${response.status} ${reason}`);
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}

export const api = {
  /** Public: who this browser's token (or the one given) is, and whether reads need one. */
  whoami: (token?: string) => json<WhoAmI>('/api/v1/whoami', token === undefined ? undefined : { headers: authHeaders(token) }),
  capacity: () => json<CapacityReport>('/api/v1/capacity'),
  contracts: () => json<{ contracts: Contract[] }>('/api/v1/contracts').then((b) => b.contracts),
  valuation: (id: string) => json<Valuation>(`/api/v1/contracts/${encodeURIComponent(id)}/valuation`),
  demandPlans: () => json<{ plans: DemandPlan[] }>('/api/v1/demand-plans').then((b) => b.plans),
  alerts: () => json<{ active: AlertView[]; recent: AlertView[] }>('/api/v1/alerts'),
  deadLetters: () => json<{ deliveries: Delivery[] }>('/api/v1/webhooks/deliveries?state=dead&limit=50').then((b) => b.deliveries),
  webhookNames: () =>
    json<{ webhooks: Array<{ id: string; name: string }> }>('/api/v1/webhooks').then((b) => new Map(b.webhooks.map((w) => [w.id, w.name]))),
  pendingDeliveries: () => json<{ deliveries: Delivery[] }>('/api/v1/webhooks/deliveries?state=pending&limit=200').then((b) => b.deliveries),
  whatIf: (body: WhatIfRequest) =>
    json<WhatIfAnswer>('/api/v1/what-if', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  /** `[unix seconds, value]` pairs; `fromMs` on the collection clock, the server's `to` (its now) by default. */
  history: (scope: string, metric: HistoryMetric, fromMs: number, stepS: number) =>
    json<{ points: Array<[number, number]> }>(
      `/api/v1/history?${new URLSearchParams({ scope, metric, from: new Date(fromMs).toISOString(), step: `${stepS}s` })}`,
    ).then((b) => b.points),
};

/** The server's own CSV of the same data (for finance), where it offers one. */
export const CSV_URLS = {
  blocks: '/api/v1/capacity?format=csv',
  contracts: '/api/v1/contracts?format=csv',
} as const;

/**
 * One of those CSVs, fetched with the token (a plain link cannot carry the Authorization
 * header), with the file name the server suggests in Content-Disposition when it gives one.
 */
export async function serverCsv(path: string): Promise<{ csv: string; filename: string | null }> {
  const response = await request(path, { headers: { accept: 'text/csv' } });
  const filename = /filename="?([^";]+)"?/i.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? null;
  return { csv: await response.text(), filename };
}
