// Entry of the Slurm read worker thread: workers do not inherit tsx's loader from `--import`
// on Node 20, so it is registered here before the TypeScript module loads.
import { register } from 'tsx/esm/api';

register();
await import('./slurm-read-worker.ts');
