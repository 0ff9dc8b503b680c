// Worker entry: workers do not inherit tsx's loader from `--import` on Node 20 (as in
// server/src/workers/backfill-worker.mjs), so it is registered before the TypeScript module loads.
import { register } from 'tsx/esm/api';

register();
await import('./backfill-writer.ts');
