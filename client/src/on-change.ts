/**
 * Re-reads a REST-backed section when the live figure it depends on changes (at most every 3 s):
 * `key` names what the section shows, from the last live message; `read` fetches and draws it.
 * Calling the result with `force` reads again whatever the key (after a reconnect).
 */
export function onChange(key: () => string, read: () => Promise<void>) {
  let seen: string | null = null;
  let running = false;
  let again = false;
  let lastAt = 0;
  const run = async (): Promise<void> => {
    running = true;
    try {
      do {
        again = false;
        const wait = lastAt + 3_000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        lastAt = Date.now();
        await read();
      } while (again);
    } finally {
      running = false;
    }
  };
  return (force = false): void => {
    const k = key();
    if (!force && k === seen) return;
    seen = k;
    if (running) again = true;
    else void run();
  };
}
