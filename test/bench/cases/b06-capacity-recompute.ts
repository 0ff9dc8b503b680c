/**
 * Benchmark 6 — capacity engine full recompute at Colossus scale: the capacity service as
 * headroom.ts wires it (fleet from the collector, 30 days of stored history, demo contracts,
 * price book, default policy), on a copy of the prepared 30-day database, after two simulator
 * rounds. Each timed call follows a new fleet summary (collector.tick at a new instant), so
 * nothing is cached: history read (30 days at 15 min), forecast fit, reserve, sellable blocks,
 * stranded power, oversold risk and block valuation — what GET /capacity costs once per round.
 */
import { benchPreset } from '../lib/topologies.js';
import { join } from 'node:path';
import { createCapacityService } from '../../../server/src/services/capacity/capacity-service.js';
import { collectRound } from '../../../server/src/pipeline/collector/collection-round.js';
import { createCollector } from '../../../server/src/pipeline/collector/fleet-collector.js';
import { loadConfig } from '../../../server/src/config.js';
import { createContractService } from '../../../server/src/services/contracts/contract-service.js';
import { contractSiteOf, rankPodsByInternalUse } from '../../../server/src/services/contracts/contract-site.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { createSimSource } from '../../../server/src/sim/sim-source.js';
import { createSimulator } from '../../../server/src/sim/simulator.js';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createStores } from '../../../server/src/pipeline/store/stores.js';
import { writeTransaction } from '../../../server/src/pipeline/store/write-transaction.js';
import { copyHistoryDb } from '../prepare/history-db.js';
import { benchMain, type ChildResult } from '../lib/child.js';
import { median } from '../lib/stats.js';

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const file = copyHistoryDb(join(workDir, 'prep-history', 'headroom.db'), join(workDir, `b06-rep${rep}`));
  const db = openDatabase(file);
  const stores = createStores(db);
  const config = loadConfig({});
  const topology = buildPreset(benchPreset());
  let nowMs = Math.floor(Date.now() / 10_000) * 10_000;
  const now = (): number => nowMs;

  let soldPodsAt: (tMs: number) => ReadonlySet<number> = () => new Set();
  const collector = createCollector({
    topology,
    ports: { ...stores, transaction: (work) => writeTransaction(db, work)() },
    staleAfterMs: config.staleAfterMs,
    soldPodsAt: (tMs) => soldPodsAt(tMs),
  });
  collector.restore();
  const contractSite = contractSiteOf(topology);
  const contracts = createContractService({
    contracts: stores.contracts,
    priceBooks: stores.priceBooks,
    site: () => contractSite,
    rankPodsForSale: () => rankPodsByInternalUse(contractSite.pods, collector.latest()),
    today: () => isoDay(now()),
    nowMs: now,
  });
  soldPodsAt = (tMs) => contracts.soldPodsAt(isoDay(tMs));
  const sim = createSimulator({
    topology: buildPreset(benchPreset()),
    scenario: 'decline',
    seed: 42,
    soldPod: (pod, tMs) => soldPodsAt(tMs).has(pod),
  });
  const capacity = createCapacityService({ fleet: collector, history: stores.rollups, contracts, now, policy: config.capacity });

  const round = {
    collector,
    sources: [createSimSource(sim, sim.topology)],
    parse: (t: string, h: string | null) => parseDcgmText(t, { defaultHost: h ?? undefined }),
    concurrency: 256,
    elapsedMs: () => performance.now(),
  };
  await collectRound(round, nowMs - 10_000);
  await collectRound(round, nowMs);

  const times: number[] = [];
  let blocks = 0;
  let points = 0;
  const count = quick ? 4 : 12;
  for (let i = 0; i <= count; i++) {
    // A new summary one millisecond on: the same fleet, but no cached report or forecast.
    nowMs += 1;
    collector.tick(nowMs);
    const t0 = performance.now();
    const report = capacity.capacity();
    const ms = performance.now() - t0;
    if (i > 0) times.push(ms); // the first call compiles the engine
    blocks = report.sellable.blocks.length;
    points = report.forecast.points.length;
  }
  closeDatabase(db);
  return {
    metrics: { medianMs: median(times), maxMs: Math.max(...times), blocks, forecastPoints: points, historyDays: 30 },
    samples: { recomputeMs: times },
  };
});
