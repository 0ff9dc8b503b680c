import { pino } from 'pino';
import { ensureClientBuilt } from './client-build.js';

/** `npm run build:client` (and `npm test`, before the browser tests): builds the dashboard if stale. */
await ensureClientBuilt(pino({ base: { app: 'headroom' } }));
