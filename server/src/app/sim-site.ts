import type { Config } from '../config.js';
import { createCollectionClock } from '../pipeline/collector/collection-clock.js';
import { buildSite } from '../domain/fleet/site-topology.js';
import { siteSource } from './start-options.js';
import type { Topology } from '../domain/fleet/topology.js';
import { demoContracts } from '../sim/demo-contracts.js';
import { demoPlans } from '../sim/demo-plans.js';
import { createSimulator, type Simulator, type SlurmEndpoint } from '../sim/simulator.js';
import { isoDateOfMs } from '../domain/contracts/calendar.js';

const SIM_CLOCK_KEY = 'sim_clock_ms';
/** Set once the demo contract book was written, so deleting it does not bring it back. */
const DEMO_CONTRACTS_KEY = 'demo_contracts_seeded';
/** The same for the demo plans (only `rebound` has one: the owner's comeback). */
const DEMO_PLANS_KEY = 'demo_plans_seeded';

interface MetaPort {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/**
 * The collection clock (the simulator's, resumed where the last run left it, when it runs) and
 * the simulated site. The simulator gets a topology of its own: it simulates the preset's (or SITE_FILE's) nodes,
 * never the unplaced ones that real pushes add to the collector's.
 */
export function simulatedSite(
  config: Config,
  meta: MetaPort,
  book: { soldPodsAt: (tMs: number) => ReadonlySet<number>; podCustomerAt: (pod: number, tMs: number) => string | null },
  ownTopology?: () => Topology,
) {
  const stored = meta.get(SIM_CLOCK_KEY);
  const clock = config.sim.enabled
    ? createCollectionClock({
        speed: config.sim.speed,
        startMs: config.sim.startMs,
        resumeFromMs: stored ? Number(stored) : null,
        wallNow: Date.now,
      })
    : createCollectionClock({ speed: 1, startMs: null, resumeFromMs: null, wallNow: Date.now });
  const sim = config.sim.enabled
    ? createSimulator({
        topology: ownTopology?.() ?? buildSite(siteSource(config)),
        scenario: config.sim.scenario,
        seed: config.sim.seed,
        // Sold pods run the customer's work, and internal work keeps off them.
        soldPod: (pod, tMs) => book.soldPodsAt(tMs).has(pod),
        // The customer's Slurm account on a sold pod: its contract's (Aurora Labs → aurora-labs).
        podCustomer: book.podCustomerAt,
        // SIM_SCHEDULER=false: no scheduler of any kind, so no pod labels either (telemetry alone).
        podLabels: config.sim.scheduler,
      })
    : null;
  return {
    clock,
    sim,
    /** Where the simulated clock resumes at the next start. */
    saveClock(): void {
      if (sim) meta.set(SIM_CLOCK_KEY, String(clock.now()));
    },
    /** GET /sim/node/:host: the simulated exporter text of one node. */
    nodeText: sim ? (host: string) => simNodeText(sim, host) : undefined,
    /** GET /sim/slurm/slurm/v0.0.38/…: the simulated scheduler as slurmrestd answers, at the last round. */
    slurm: sim ? (endpoint: SlurmEndpoint) => (Number.isNaN(sim.lastTickMs()) ? null : sim.slurmJson(endpoint)) : undefined,
    /**
     * The three answers the scheduler poll reads (docs/scheduler.md: why as text, not over HTTP),
     * each rendered in its own event-loop turn so requests get in between; null before the first round.
     */
    slurmTexts: sim ? () => simSlurmTexts(sim) : undefined,
  };
}

/** The demo contract book and demand plans, written once (a deleted one stays deleted). */
export function seedDemoBook(
  config: Config,
  at: {
    sim: Simulator | null;
    meta: MetaPort;
    contractSite: Parameters<typeof demoContracts>[0] & { gpus: number };
    contracts: { create(body: unknown): unknown };
    demandPlans: { create(body: unknown): unknown };
    nowMs: number;
  },
): void {
  const { sim, meta } = at;
  const today = isoDateOfMs(at.nowMs);
  if (sim && config.sim.contracts === 'demo' && meta.get(DEMO_CONTRACTS_KEY) === null) {
    for (const terms of demoContracts(at.contractSite, today)) at.contracts.create(terms);
    meta.set(DEMO_CONTRACTS_KEY, today);
  }
  if (sim && config.sim.plans === 'demo' && meta.get(DEMO_PLANS_KEY) === null) {
    for (const plan of demoPlans(config.sim.scenario, sim.params, at.contractSite.gpus)) at.demandPlans.create(plan);
    meta.set(DEMO_PLANS_KEY, today);
  }
}

function simNodeText(sim: Simulator, host: string): string | null {
  const index = sim.topology.nodeByHost.get(host);
  return index === undefined ? null : sim.renderNode(index);
}

async function simSlurmTexts(sim: Simulator): Promise<{ nodes: string; jobs: string; reservations: string } | null> {
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  if (Number.isNaN(sim.lastTickMs())) return null;
  const tickMs = sim.lastTickMs();
  const nodes = sim.slurmJson('nodes');
  await turn();
  const jobs = sim.slurmJson('jobs');
  await turn();
  const reservations = sim.slurmJson('reservations');
  // A round between the turns would mix two ticks' answers: read all three again at the new one.
  return sim.lastTickMs() === tickMs ? { nodes, jobs, reservations } : simSlurmTexts(sim);
}
