import { inspect } from 'node:util';
import { loadConfig } from './config.js';
import { startHeadroom } from './app/headroom.js';

/**
 * At SIGTERM, how long the server still answers (with Connection: close, /readyz 503) before it
 * stops accepting: a request a client sent just before the signal is answered, not reset.
 */
const DRAIN_GRACE_MS = 1_000;

/** Entry point of `npm start`: configuration from the environment, stop on SIGTERM/SIGINT. */
try {
  const headroom = await startHeadroom(loadConfig(), { buildClient: true, drainGraceMs: DRAIN_GRACE_MS });
  const stop = (signal: string): void => {
    console.error(`headroom: ${signal} received, draining`);
    headroom.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`headroom: shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  console.error(`headroom failed to start: ${error instanceof Error ? error.message : inspect(error)}`);
  process.exit(1);
}
