import type { PushKey, PushResult } from '../../domain/fleet/push-key.js';
import type { IngestObserver } from '../../domain/fleet/ingest-sources.js';
import type { MetricsAuth, MetricsEndpoint } from './routes/metrics.js';
import type { ZodType } from 'zod';
import type { AlertsService } from '../../services/alerts/alerts-service.js';
import type { TokenService } from '../../services/auth/token-service.js';
import type { AuditPort } from '../../services/auth/ports.js';
import type { RateLimits } from './rate-limit.js';
import type { HostPolicy } from './host-check.js';
import type { CapacityService } from '../../services/capacity/capacity-service.js';
import type { DemandPlanService } from '../../services/capacity/demand-plans.js';
import type { AllocatedContract } from '../../domain/contracts/allocation.js';
import type { PriceBook } from '../../domain/contracts/price-book.js';
import type { ContractValuation } from '../../domain/contracts/valuation.js';
import type { FleetState } from '../../domain/fleet/fleet-state.js';
import type { IngestBatch } from '../../domain/fleet/readings.js';
import type { HistoryMetric } from '../../domain/fleet/rollup.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import type { SchedulerView } from '../../domain/scheduler/scheduler-report.js';
import type { KubernetesReport } from '../../domain/scheduler/kubernetes-allocation.js';

/** What the HTTP layer is given by main.ts; it constructs none of it. */
export interface AppDeps {
  fleet: {
    state: FleetState;
    latest(): FleetSummary | null;
    /** Resolves once the batch is durable (journalled), so its 2xx may go out. */
    push(batch: IngestBatch, source: string, key: PushKey | null, nowMs: number): Promise<PushResult>;
  };
  history: {
    query(scope: string, metric: HistoryMetric, fromS: number, toS: number, stepS: number): Array<[number, number]>;
  };
  gpuHistory: {
    query(slot: number, metric: 'utilization' | 'power_watts', fromS: number, toS: number, stepS: number): Array<[number, number]>;
  };
  parsers: {
    dcgm(text: string, host: string | null): IngestBatch;
    nvidiaSmi(text: string, host: string, fields: string[] | undefined): IngestBatch;
    json(body: unknown): IngestBatch;
    /** The zod schema `json` validates with, published as its body in the OpenAPI document. */
    jsonSchema: ZodType;
  };
  /** Collection time (the simulator's clock when it runs), ms. */
  now: () => number;
  /** The scheduler source's view (null: none configured; /api/v1/scheduler says so). */
  scheduler?: () => SchedulerView | null;
  /** What dcgm-exporter's pod labels told at the last round (null: no report named a pod). */
  kubernetes?: () => KubernetesReport | null;
  isReady: () => boolean;
  isDraining?: () => boolean;
  /** dcgm-exporter text the simulator serves for one node, or null if no such node (sim on). */
  simNodeText?: (host: string) => string | null;
  /** The simulated scheduler's slurmrestd v0.0.38 answer (JSON text) for `ping`, `nodes`, `jobs` or `reservations` (sim on; null before its first round). */
  simSlurm?: (endpoint: 'ping' | 'nodes' | 'jobs' | 'reservations') => string | null;
  limits: { maxBodyBytes: number };
  /** The Host names answered (host-check.ts); every Host when not given. */
  hosts?: HostPolicy;
  info: { version: string; simulated: boolean; scenario: string | null; preset: string };
  log: { error: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
  /** Contracts and the price book (routes mounted only when given). */
  contracts?: ContractsDeps;
  capacity?: CapacityDeps;
  /** Planned internal demand (routes mounted only when given). */
  demandPlans?: DemandPlansDeps;
  /** The built dashboard (client/dist) to serve at `/`, or null. */
  clientDist?: string | null;
  /** Alerts, rules and webhook receivers (routes mounted only when given). */
  alerts?: AlertsDeps;
  /** GET /metrics (mounted only when given). */
  metrics?: { endpoint: MetricsEndpoint; auth: MetricsAuth };
  /** Told of every pushed batch, accepted or refused. */
  ingestObserver?: IngestObserver;
  /** Tokens, roles, the audit log and request budgets. */
  auth: {
    tokens: TokenService;
    audit: AuditPort;
    publicRead: boolean;
    /** Browser origins allowed to call the API besides this server's own (CORS). */
    corsOrigins: string[];
    rateLimits: RateLimits;
    /** Wall clock, for the audit log. */
    wallNow: () => number;
  };
}

/** The contract service as the routes use it; unknown ids and bad bodies throw DomainError. */
export interface ContractsDeps {
  list(): AllocatedContract[];
  get(id: number): AllocatedContract | null;
  create(body: unknown): AllocatedContract;
  update(id: number, body: unknown): AllocatedContract;
  remove(id: number): void;
  /** asOf defaults to today by the collection clock. */
  valuation(id: number, asOf?: string): ContractValuation;
  getPriceBook(): PriceBook;
  putPriceBook(body: unknown): PriceBook;
}

/** Sellable capacity, its value and risk (capacity/capacity-service.ts). */
export type CapacityDeps = Pick<CapacityService, 'capacity' | 'whatIf'>;

/** Planned internal demand (capacity/demand-plans.ts); unknown ids and bad bodies throw DomainError. */
export type DemandPlansDeps = Pick<DemandPlanService, 'list' | 'get' | 'create' | 'update' | 'remove'>;

/** Alert rules and states, webhook receivers and deliveries (alerts/alerts-service.ts). */
export type AlertsDeps = Pick<
  AlertsService,
  | 'states'
  | 'transitions'
  | 'rules'
  | 'putRules'
  | 'listWebhooks'
  | 'getWebhook'
  | 'createWebhook'
  | 'updateWebhook'
  | 'deleteWebhook'
  | 'sendTest'
  | 'deliveries'
>;
