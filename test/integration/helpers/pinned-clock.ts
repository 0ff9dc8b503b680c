/**
 * Where the simulated site's clock starts in tests (SIM_START), so no test depends on the day it
 * runs: the scenarios hang from fixed dates (the decline from 2026-10-02, the rebound on
 * 2026-12-01), and the demo contracts from the simulated today. Tests that need another moment
 * pass their own SIM_START; expectations about dates come from the server's clock, not Date.now().
 */
export const PINNED_START = '2026-11-27T12:00:00.000Z';
export const PINNED_START_MS = Date.parse(PINNED_START);
