// Entry of write-gate.int.test.ts's worker: workers do not inherit tsx's loader on Node 20.
import { register } from 'tsx/esm/api';

register();
await import('./gate-order.ts');
