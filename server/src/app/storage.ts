import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAlertRules } from '../domain/alerts/rule.js';
import { webhookRecordSchema } from '../domain/alerts/webhook.js';
import { createAlertStore } from '../pipeline/store/alert-store.js';
import { createAuditStore } from '../pipeline/store/audit-store.js';
import { startCheckpointer } from '../pipeline/store/checkpointer.js';
import { openDatabase } from '../pipeline/store/db.js';
import { createOutboxStore } from '../pipeline/store/outbox-store.js';
import { createReceiverStore } from '../pipeline/store/receiver-store.js';
import { createStores } from '../pipeline/store/stores.js';
import { createTokenStore } from '../pipeline/store/token-store.js';
import { writeTransaction } from '../pipeline/store/write-transaction.js';
import { storedAlertStateSchema, storedNotifyGroupSchema } from '../services/alerts/stored-shapes.js';

/** The WAL grows by at most about this much writing between checkpoints (a few MB at Colossus scale). */
const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * The database under DATA_DIR, its checkpoint worker, and every store over it: the root hands
 * each service the stores it declares ports for (the alerts' bodies are checked against the
 * services' own schemas on load).
 */
export function openStorage(dataDir: string, log: { error(obj: object, msg: string): void }) {
  const dbFile = join(dataDir, 'headroom.db');
  const db = openDatabase(dbFile);
  const checkpointer = startCheckpointer(db, CHECKPOINT_INTERVAL_MS, log);
  const stores = {
    ...createStores(db),
    alerts: createAlertStore(db, {
      rules: parseAlertRules,
      state: (j) => storedAlertStateSchema.parse(j),
      group: (j) => storedNotifyGroupSchema.parse(j),
    }),
    receivers: createReceiverStore(db, (j) => webhookRecordSchema.parse(j)),
    outbox: createOutboxStore(db),
    tokens: createTokenStore(db),
    audit: createAuditStore(db),
  };
  return {
    dbFile,
    db,
    checkpointer,
    stores,
    transaction: <T>(work: () => T): T => writeTransaction(db, work)(),
    storageBytes: () => ({ main: fileBytes(dbFile), wal: fileBytes(`${dbFile}-wal`) }),
  };
}

export type Storage = ReturnType<typeof openStorage>;

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // no WAL between checkpoints
  }
}
