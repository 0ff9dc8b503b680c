import { createContractStore, type ContractStore } from './contract-store.js';
import type { Database } from './db.js';
import { createDemandPlanStore } from './demand-plan-store.js';
import { createGpuHistoryStore, type GpuHistoryStore } from './gpu-history-store.js';
import { createIngestJournal, type IngestJournal } from './ingest-journal.js';
import { createMetaStore, type MetaStore } from './meta-store.js';
import { createPriceBookStore, type PriceBookStore } from './price-book-store.js';
import { createRegistryStore, type RegistryStore } from './registry-store.js';
import { createRollupStore, type RollupStore } from './rollup-store.js';
import { createSnapshotStore, type SnapshotStore } from './snapshot-store.js';

/** Every repository over one open database, for the composition root (app/storage.ts) to hand out. */
export interface Stores {
  meta: MetaStore;
  rollups: RollupStore;
  gpuHistory: GpuHistoryStore;
  registry: RegistryStore;
  snapshots: SnapshotStore;
  journal: IngestJournal;
  contracts: ContractStore;
  priceBooks: PriceBookStore;
  demandPlans: ReturnType<typeof createDemandPlanStore>;
}

export function createStores(db: Database): Stores {
  return {
    meta: createMetaStore(db),
    rollups: createRollupStore(db),
    gpuHistory: createGpuHistoryStore(db),
    registry: createRegistryStore(db),
    snapshots: createSnapshotStore(db),
    journal: createIngestJournal(db),
    contracts: createContractStore(db),
    priceBooks: createPriceBookStore(db),
    demandPlans: createDemandPlanStore(db),
  };
}
