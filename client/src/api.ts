import type {
  AlertAnswer,
  AlertListAnswer,
  AlertTransitionListAnswer,
  DeliveryAnswer,
  DeliveryListAnswer,
  WebhookListAnswer,
} from '@protocol/alerts';
import type { CapacityAnswer, Risk, SellableBlock, WhatIfAnswer } from '@protocol/capacity';
import type { ContractAnswer, ContractListAnswer, ValuationAnswer } from '@protocol/contracts';
import type { DemandPlanAnswer, DemandPlanListAnswer } from '@protocol/demand-plans';
import type { SiteAnswer } from '@protocol/fleet';
import type { HistoryAnswer, HistoryMetric } from '@protocol/history';
import type { SchedulerAnswer } from '@protocol/scheduler';
import type { WhoAmI } from '@protocol/tokens';
import { authHeaders, signInNeeded } from './session.js';

/**
 * The REST answers the page reads (docs/api.md), typed by the server's protocol/. Live figures never come
 * from here: they arrive on the socket. REST is read once per section, when a chart's range changes,
 * and again only when a live message says the thing it shows has changed.
 */

// The answers' types are the server's own schemas (server/src/protocol/, checked against real
// answers by its tests); type-only imports, so zod stays out of the bundle.
export type { HistoryMetric, Risk, SellableBlock, WhatIfAnswer };
export type CapacityReport = CapacityAnswer;
export type Contract = ContractAnswer;
/** The owner's planned internal demand (GET /api/v1/demand-plans): days in UTC, `end` inclusive, null = until further notice. */
export type DemandPlan = DemandPlanAnswer;
export type Valuation = ValuationAnswer;
export type AlertView = AlertAnswer;
export type Delivery = DeliveryAnswer;
export type SchedulerReport = SchedulerAnswer;

/** POST /api/v1/what-if as the page sends it (a request: the server's whatIfSchema allows gpus or watts instead of pods). */
export interface WhatIfRequest {
  pods: number;
  start: string;
  months: number;
  monthlyPriceUsd?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a request that got no answer says. The live link reconnects by itself, and on reconnecting
 * the page reads every section again; a what-if is asked again by pressing its button.
 */
export const UNREACHABLE = 'cannot reach the server — retrying when the connection is back';

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
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { ...authHeaders(), ...Object.fromEntries(new Headers(init.headers).entries()) },
    });
  } catch {
    // No answer at all (server down, network gone): the browser says only "Failed to fetch".
    throw new ApiError(0, UNREACHABLE);
  }
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
  /** The site's figures; the page reads only `toldBy` (the live headline carries the rest). */
  fleet: () => json<SiteAnswer>('/api/v1/fleet'),
  scheduler: () => json<SchedulerReport>('/api/v1/scheduler'),
  contracts: () => json<ContractListAnswer>('/api/v1/contracts').then((b) => b.contracts),
  valuation: (id: string) => json<Valuation>(`/api/v1/contracts/${encodeURIComponent(id)}/valuation`),
  demandPlans: () => json<DemandPlanListAnswer>('/api/v1/demand-plans').then((b) => b.plans),
  alerts: () => json<AlertListAnswer>('/api/v1/alerts'),
  /** Every firing and resolution in the range (the charts' marks), oldest first. */
  alertTransitions: (fromMs: number, toMs: number) =>
    json<AlertTransitionListAnswer>(
      `/api/v1/alerts/transitions?${new URLSearchParams({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() })}`,
    ).then((b) => b.transitions),
  deadLetters: () => json<DeliveryListAnswer>('/api/v1/webhooks/deliveries?state=dead&limit=50').then((b) => b.deliveries),
  webhookNames: () => json<WebhookListAnswer>('/api/v1/webhooks').then((b) => new Map(b.webhooks.map((w) => [w.id, w.name]))),
  pendingDeliveries: () => json<DeliveryListAnswer>('/api/v1/webhooks/deliveries?state=pending&limit=200').then((b) => b.deliveries),
  whatIf: (body: WhatIfRequest) =>
    json<WhatIfAnswer>('/api/v1/what-if', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  /** `[unix seconds, value]` pairs; times on the collection clock, `toMs` the server's now by default. */
  history: (scope: string, metric: HistoryMetric, fromMs: number, stepS: number, toMs?: number) =>
    json<HistoryAnswer>(
      `/api/v1/history?${new URLSearchParams({
        scope,
        metric,
        from: new Date(fromMs).toISOString(),
        ...(toMs === undefined ? {} : { to: new Date(toMs).toISOString() }),
        step: `${stepS}s`,
      })}`,
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
