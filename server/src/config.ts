import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { weakSecretReason } from './domain/auth/token-strength.js';
import { readScrapeTargetsFile } from './config/scrape-targets-file.js';
import { tenantsFromFile } from './config/tenants-file.js';
import { siteFromFile } from './config/site-file.js';
import { slurmSettings, type SlurmSettings } from './config/slurm-settings.js';
import type { Tenants } from './domain/scheduler/tenants.js';
import type { SiteLayout } from './domain/fleet/site-layout.js';

/**
 * The one reader of process.env. Every setting has a default, a unit in its name where it has
 * one, and fails start-up with a message naming the variable when it is invalid.
 */
const bool = z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => v === 'true' || v === '1' || v === 'on');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  PORT: int(0, 65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  PRESET: z.enum(['colossus', 'colossus-h100', 'small']).default('colossus'),
  SITE_FILE: z.string().min(1).optional(),
  SIM: bool.default(true),
  SIM_SCENARIO: z.enum(['decline', 'flat', 'rebound', 'failures']).default('decline'),
  SIM_SPEED: z.coerce.number().positive().max(10_000).default(1),
  SIM_SEED: int(0, 2 ** 31 - 1).default(42),
  // An instant with its zone (…Z or ±hh:mm), so the same value means the same moment everywhere.
  SIM_START: z.iso
    .datetime({ offset: true })
    .transform((v) => Date.parse(v))
    .optional(),
  BACKFILL_DAYS: z.coerce.number().min(0).max(400).default(14),
  RETENTION_DAYS: z.coerce.number().positive().max(3650).default(90),
  GPU_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(14),
  SCRAPE_TARGETS: z.string().default(''),
  SCRAPE_TARGETS_FILE: z.string().min(1).optional(),
  SCRAPE_INTERVAL_MS: int(100, 3_600_000).default(10_000),
  SCRAPE_TIMEOUT_MS: int(50, 600_000).default(5_000),
  SCRAPE_CONCURRENCY: int(1, 4096).default(256),
  SCRAPE_MAX_CONNECTIONS: int(1, 1_000_000).optional(),
  STALE_AFTER_MS: int(1_000, 86_400_000).optional(),
  SNAPSHOT_INTERVAL_MS: int(1_000, 86_400_000).default(300_000),
  SLURM_REST_URL: z.url().optional(),
  SLURM_JWT: z.string().regex(/^\S+$/, 'must be one token (scontrol token prints SLURM_JWT=<token>)').optional(),
  SLURM_JWT_FILE: z.string().min(1).optional(),
  SLURM_USER: z.string().min(1).max(64).optional(),
  SIM_SCHEDULER: bool.default(true),
  SLURM_POLL_S: z.coerce.number().min(0.5).max(3600).default(30),
  SLURM_TIMEOUT_S: z.coerce.number().min(0.1).max(600).default(10),
  SLURM_STALE_AFTER_S: z.coerce.number().min(1).max(86_400).optional(),
  TENANTS_FILE: z.string().min(1).optional(),
  HELD_THRESHOLD_S: z.coerce
    .number()
    .min(1)
    .max(30 * 86_400)
    .default(3_600),
  MAX_BODY_BYTES: int(1_024, 1_073_741_824).default(32 * 1024 * 1024),
  MAX_LINES_PER_BATCH: int(1, 100_000_000).default(1_000_000),
  MAX_SERIES_PER_BATCH: int(1, 100_000_000).default(500_000),
  MAX_LABEL_LENGTH: int(16, 1_048_576).default(1024),
  SIM_CONTRACTS: z.enum(['demo', 'none']).default('demo'),
  SIM_PLANS: z.enum(['demo', 'none']).default('demo'),
  CAPACITY_HORIZON_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  RESERVE_MARGIN: z.coerce.number().min(0).max(10).default(0.05),
  RESERVE_MARGIN_GPUS: z.coerce.number().int().min(0).default(0),
  BLOCK_PODS: int(1, 1000).default(1),
  FORECAST_HISTORY_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  // The reserve's risk appetite: [0.5, 1) as the forecast takes them (forecast.ts).
  FORECAST_QUANTILE: z.coerce.number().min(0.5).lt(1).default(0.95),
  FORECAST_BAND_CONFIDENCE: z.coerce.number().min(0.5).lt(1).default(0.9),
  SITE_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, - or _ (it is a Prometheus label value)')
    .optional(),
  SITE_NAME: z.string().min(1).max(200).optional(),
  METRICS_BEARER_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_BASIC_AUTH: z
    .string()
    .regex(/^[^:]+:.{8,}$/, 'must be user:password, the password at least 8 characters')
    .optional(),
  EXTERNAL_URL: z.url().optional(),
  // Host names the server answers to besides EXTERNAL_URL's, HOST, localhost and IP addresses; * for any.
  ALLOWED_HOSTS: z.string().default(''),
  // Contract revenue, TCV and the sellable value on /metrics; false keeps every money series off it.
  METRICS_MONEY: bool.default(true),
  ALERT_RULES_FILE: z.string().min(1).optional(),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(5_000),
  WEBHOOK_BACKOFF_BASE_MS: int(10, 600_000).default(1_000),
  WEBHOOK_BACKOFF_MAX_MS: int(100, 86_400_000).default(300_000),
  WEBHOOK_GIVE_UP_AFTER_MS: int(1_000, 30 * 86_400_000).default(86_400_000),
  ALERTMANAGER_URLS: z.string().default(''),
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_KEEP_ERROR_BODY: bool.default(false),
  HEADROOM_ADMIN_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)')
    .regex(/^\S+$/, 'must not contain spaces')
    .superRefine((t, ctx) => {
      const weak = weakSecretReason(t);
      if (weak) ctx.addIssue({ code: 'custom', message: `looks guessable: ${weak}; make one with openssl rand -base64 32` });
    })
    .optional(),
  PUBLIC_READ: bool.default(false),
  CORS_ORIGINS: z.string().default(''),
  API_RATE_LIMIT_PER_MIN: int(1, 1_000_000_000).default(3_000),
  // Below what one core sustains (≈ 0.5–0.7 ms CPU an accepted push of one node's 64 samples,
  // ≈ 0.3 ms a refusal; faults/load.int.test.ts), so a flood is refused rather than queued:
  // 500 pushes/s keep accepted ingest near a third of a core, the rest for refusals and reads.
  INGEST_RATE_LIMIT_PER_S: int(1, 1_000_000_000).default(250),
  INGEST_RATE_LIMIT_TOTAL_PER_S: int(1, 1_000_000_000).default(500),
  // Bad credentials answered 401 per minute from one address (IPv6: its /64) before it gets 429.
  AUTH_FAILURE_LIMIT_PER_MIN: int(1, 1_000_000_000).default(60),
  // Well under the open-file limits servers run with; socket.io's connections count too.
  HTTP_MAX_CONNECTIONS: int(1, 10_000_000).default(10_000),
  LIVE_MAX_CONNECTIONS: int(1, 1_000_000).default(1_000),
  LIVE_MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(50),
  // Sessions that have not sent a valid token yet. A page sends it one round trip after the
  // handshake, so a few seconds is ample; the pending bounds keep memory finite meanwhile. They
  // default to the connection limits: as many may be signing in at once as may be signed in (a
  // proxy's clients all reconnecting after a restart, from its one address).
  LIVE_CONNECT_TIMEOUT_MS: int(500, 60_000).default(5_000),
  LIVE_MAX_PENDING_CONNECTIONS: int(1, 1_000_000).optional(),
  LIVE_MAX_PENDING_PER_ADDRESS: int(1, 1_000_000).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  preset: 'colossus' | 'colossus-h100' | 'small';
  /** SITE_FILE's site (docs/site-file.md), checked at start; it replaces the preset. */
  siteFile: { file: string; layout: SiteLayout } | null;
  /** Names the site in reports and as the `site` label of every metric; defaults to the preset's. */
  site: { id: string | null; name: string | null };
  /** Optional credentials for /metrics (off by default, as Prometheus scrapes usually run inside the network). */
  metricsAuth: { bearerToken: string | null; basic: { user: string; password: string } | null };
  sim: {
    enabled: boolean;
    scenario: 'decline' | 'flat' | 'rebound' | 'failures';
    speed: number;
    seed: number;
    /** Where a new simulated site's clock starts, unix ms (null: the wall clock). */
    startMs: number | null;
    contracts: 'demo' | 'none';
    plans: 'demo' | 'none';
    /** SIM_SCHEDULER: the simulated site's scheduler (its Slurm and its pods' labels); false: telemetry alone. */
    scheduler: boolean;
  };
  capacity: {
    horizonDays: number;
    marginFraction: number;
    marginGpus: number;
    blockPods: number;
    historyDays: number;
    quantile: number;
    bandConfidence: number;
  };
  backfillDays: number;
  retentionDays: number;
  gpuRetentionDays: number;
  /**
   * targets: SCRAPE_TARGETS then SCRAPE_TARGETS_FILE's, each once. maxConnections: open scrape
   * connections at most (kept-alive ones and those of the round in flight).
   */
  scrape: { targets: string[]; intervalMs: number; timeoutMs: number; concurrency: number; maxConnections: number };
  /** A GPU with no sample for this long reads `unknown`. */
  staleAfterMs: number;
  /**
   * Where allocation is read from (docs/scheduler.md): a slurmrestd (`rest`; token fixed, or a file
   * re-read on change), else the simulator's scheduler when it runs (`sim`); null: telemetry alone.
   */
  slurm: SlurmSettings | null;
  /**
   * Who owns the scheduler's allocations (docs/scheduler.md#tenants): TENANTS_FILE's mapping, or
   * null (the simulated site's default, else every job internal under its account). heldThresholdMs:
   * how long GPUs may stay allocated and not computing before the cross-check counts them.
   */
  tenants: { file: string | null; fromFile: Tenants | null; heldThresholdMs: number };
  snapshotIntervalMs: number;
  limits: { maxBodyBytes: number; maxLinesPerBatch: number; maxSeriesPerBatch: number; maxLabelLength: number };
  /** How people reach this server: links in alerts (generatorURL, externalURL). */
  externalUrl: string | null;
  alerts: {
    rulesFile: string | null;
    webhook: {
      timeoutMs: number;
      backoffBaseMs: number;
      backoffMaxMs: number;
      giveUpAfterMs: number;
      allowPrivate: boolean;
      /** Keep the start of a receiver's error answer (dead letters); off: status and length only. */
      keepErrorBody: boolean;
    };
    /** Alertmanagers to forward alerts to (their base URLs; /api/v2/alerts is appended). */
    alertmanagerUrls: string[];
  };
  /**
   * Who may do what: the admin token from the environment (else one is made at first start),
   * reads without a token, browser origins other than this server's, and request budgets.
   */
  auth: { adminToken: string | null; publicRead: boolean; corsOrigins: string[] };
  rateLimits: { apiPerMin: number; ingestPerTokenPerS: number; ingestTotalPerS: number; authFailuresPerMin: number };
  /**
   * maxConnections: open HTTP connections at most (socket.io's included), more are closed as they
   * arrive. allowedHosts: Host names accepted besides EXTERNAL_URL's, HOST and loopback (`*`: any).
   */
  http: { maxConnections: number; allowedHosts: string[] };
  /** Whether /metrics carries money (revenue, contract value, sellable value). */
  metricsMoney: boolean;
  /**
   * The live view's limits: authenticated sockets (in all, per address; IPv6 by /64), sessions not
   * yet authenticated (the oldest closed to make room), and how long one may stay so.
   */
  live: {
    maxConnections: number;
    maxConnectionsPerAddress: number;
    maxPending: number;
    maxPendingPerAddress: number;
    connectTimeoutMs: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(defined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const targets = scrapeTargets(e.SCRAPE_TARGETS, e.SCRAPE_TARGETS_FILE);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    preset: e.PRESET,
    siteFile: e.SITE_FILE === undefined ? null : { file: e.SITE_FILE, layout: siteFromFile(e.SITE_FILE) },
    site: { id: e.SITE_ID ?? null, name: e.SITE_NAME ?? null },
    metricsAuth: { bearerToken: e.METRICS_BEARER_TOKEN ?? null, basic: basicAuth(e.METRICS_BASIC_AUTH) },
    sim: {
      enabled: e.SIM,
      scenario: e.SIM_SCENARIO,
      speed: e.SIM_SPEED,
      seed: e.SIM_SEED,
      startMs: e.SIM_START ?? null,
      contracts: e.SIM_CONTRACTS,
      plans: e.SIM_PLANS,
      scheduler: e.SIM_SCHEDULER,
    },
    capacity: {
      horizonDays: e.CAPACITY_HORIZON_DAYS,
      marginFraction: e.RESERVE_MARGIN,
      marginGpus: e.RESERVE_MARGIN_GPUS,
      blockPods: e.BLOCK_PODS,
      historyDays: e.FORECAST_HISTORY_DAYS,
      quantile: e.FORECAST_QUANTILE,
      bandConfidence: e.FORECAST_BAND_CONFIDENCE,
    },
    backfillDays: e.BACKFILL_DAYS,
    retentionDays: e.RETENTION_DAYS,
    gpuRetentionDays: e.GPU_RETENTION_DAYS,
    scrape: {
      targets,
      intervalMs: e.SCRAPE_INTERVAL_MS,
      timeoutMs: e.SCRAPE_TIMEOUT_MS,
      concurrency: e.SCRAPE_CONCURRENCY,
      maxConnections: e.SCRAPE_MAX_CONNECTIONS ?? defaultMaxConnections(),
    },
    // Three missed scrapes: one late answer is noise, three is a source that stopped.
    staleAfterMs: e.STALE_AFTER_MS ?? e.SCRAPE_INTERVAL_MS * 3,
    snapshotIntervalMs: e.SNAPSHOT_INTERVAL_MS,
    slurm: slurmSettings(e, e.SIM && e.SIM_SCHEDULER),
    tenants: {
      file: e.TENANTS_FILE ?? null,
      fromFile: e.TENANTS_FILE === undefined ? null : tenantsFromFile(e.TENANTS_FILE),
      heldThresholdMs: e.HELD_THRESHOLD_S * 1000,
    },
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxLinesPerBatch: e.MAX_LINES_PER_BATCH,
      maxSeriesPerBatch: e.MAX_SERIES_PER_BATCH,
      maxLabelLength: e.MAX_LABEL_LENGTH,
    },
    externalUrl: e.EXTERNAL_URL ?? null,
    alerts: {
      rulesFile: e.ALERT_RULES_FILE ?? null,
      webhook: {
        timeoutMs: e.WEBHOOK_TIMEOUT_MS,
        backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
        backoffMaxMs: e.WEBHOOK_BACKOFF_MAX_MS,
        giveUpAfterMs: e.WEBHOOK_GIVE_UP_AFTER_MS,
        allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
        keepErrorBody: e.WEBHOOK_KEEP_ERROR_BODY,
      },
      alertmanagerUrls: urlList('ALERTMANAGER_URLS', e.ALERTMANAGER_URLS),
    },
    auth: { adminToken: e.HEADROOM_ADMIN_TOKEN ?? null, publicRead: e.PUBLIC_READ, corsOrigins: originList(e.CORS_ORIGINS) },
    rateLimits: {
      apiPerMin: e.API_RATE_LIMIT_PER_MIN,
      ingestPerTokenPerS: e.INGEST_RATE_LIMIT_PER_S,
      ingestTotalPerS: e.INGEST_RATE_LIMIT_TOTAL_PER_S,
      authFailuresPerMin: e.AUTH_FAILURE_LIMIT_PER_MIN,
    },
    http: { maxConnections: e.HTTP_MAX_CONNECTIONS, allowedHosts: hostList(e.ALLOWED_HOSTS) },
    metricsMoney: e.METRICS_MONEY,
    live: {
      maxConnections: e.LIVE_MAX_CONNECTIONS,
      maxConnectionsPerAddress: e.LIVE_MAX_CONNECTIONS_PER_ADDRESS,
      maxPending: e.LIVE_MAX_PENDING_CONNECTIONS ?? e.LIVE_MAX_CONNECTIONS,
      maxPendingPerAddress: e.LIVE_MAX_PENDING_PER_ADDRESS ?? e.LIVE_MAX_CONNECTIONS_PER_ADDRESS,
      connectTimeoutMs: e.LIVE_CONNECT_TIMEOUT_MS,
    },
    logLevel: e.LOG_LEVEL,
  };
}

function urlList(name: string, value: string): string[] {
  const urls = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const u of urls) {
    if (!URL.canParse(u)) throw new Error(`invalid configuration: ${name}: "${u}" is not a URL`);
  }
  return urls;
}

/** SCRAPE_TARGETS and the file's targets together; a URL in both (or twice) is refused, naming both places. */
function scrapeTargets(inline: string, file: string | undefined): string[] {
  const listed = urlList('SCRAPE_TARGETS', inline).map((url, i) => ({ url, where: `SCRAPE_TARGETS entry ${i + 1}` }));
  if (file !== undefined)
    listed.push(...readScrapeTargetsFile(file).map((t) => ({ url: t.url, where: `SCRAPE_TARGETS_FILE ${file}: ${t.where}` })));
  const seen = new Map<string, string>();
  for (const t of listed) {
    const first = seen.get(t.url);
    if (first !== undefined) throw new Error(`invalid configuration: ${t.where}: ${t.url} is listed already (${first})`);
    seen.set(t.url, t.where);
  }
  return listed.map((t) => t.url);
}

/**
 * SCRAPE_MAX_CONNECTIONS' default: ¾ of the process's open-file limit (Node raises the soft
 * limit to the hard one at start; Linux shows it in /proc/self/limits), leaving a quarter for
 * the database, the API's clients and the live view; 4,096 where the limit cannot be read.
 */
function defaultMaxConnections(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m && m[1] !== 'unlimited') return Math.max(64, Math.floor((Number(m[1]) * 3) / 4));
    if (m) return 1_000_000;
  } catch {
    // not Linux: the fallback below
  }
  return 4_096;
}

/** Host names (`headroom.example.com`, no scheme or port) or `*`, each checked to be one. */
function hostList(value: string): string[] {
  const hosts = value
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  for (const h of hosts) {
    if (h !== '*' && !/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?)$/.test(h))
      throw new Error(`invalid configuration: ALLOWED_HOSTS: "${h}" is not a host name (no scheme, port or path)`);
  }
  return hosts;
}

/** Browser origins (`https://ops.example.com`), each checked to be one: scheme, host and port only. */
function originList(value: string): string[] {
  const origins = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!URL.canParse(o) || new URL(o).origin !== o)
      throw new Error(`invalid configuration: CORS_ORIGINS: "${o}" is not an origin (scheme://host[:port], no path)`);
  }
  return origins;
}

function basicAuth(value: string | undefined): { user: string; password: string } | null {
  if (value === undefined) return null;
  const colon = value.indexOf(':');
  return { user: value.slice(0, colon), password: value.slice(colon + 1) };
}
