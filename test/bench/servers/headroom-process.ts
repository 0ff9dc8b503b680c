/**
 * Headroom as `npm start` runs it (startHeadroom with the environment's config; a large fleet's
 * targets come in SCRAPE_TARGETS_FILE, as in production). The dashboard is served if built but
 * never built here.
 */
import { loadConfig } from '../../../server/src/config.js';
import { startHeadroom } from '../../../server/src/app/headroom.js';

const config = loadConfig();
const headroom = await startHeadroom(config, { buildClient: false });
const stop = (): void => {
  headroom.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
