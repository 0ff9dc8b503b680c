import { formatMwNumber } from './format.js';

/** Below this a shortfall rounds to "0.0 MW": say "less than 0.1 MW" instead. */
const SMALLEST_SHOWN_WATTS = 50_000;

const by = (watts: number): string => (watts < SMALLEST_SHOWN_WATTS ? 'less than 0.1 MW' : `${formatMwNumber(watts)} MW`);

/**
 * The power line's "room for blocks" (headroom − reserved growth) in words when there is none: a
 * negative megawatt figure reads as a typo, a sentence says what stops the blocks. Null when there
 * is room (zero included: the figure then stands as it is).
 *
 * - headroom ≤ 0: the facility already draws more than the feed; the reserve's growth comes on top.
 * - otherwise: the reserve's growth alone needs more than the headroom, by `growth − headroom`.
 */
export function noRoomForBlocks(headroomWatts: number, reservedGrowthWatts: number): string | null {
  if (headroomWatts - reservedGrowthWatts >= 0) return null;
  if (headroomWatts <= 0) {
    const over = -headroomWatts;
    return over === 0
      ? 'no room for blocks: the facility draws the whole feed, before the reserve’s growth'
      : `no room for blocks: the facility draws ${by(over)} over the feed, before the reserve’s growth`;
  }
  return `no room for blocks: the reserve’s growth exceeds the headroom by ${by(reservedGrowthWatts - headroomWatts)}`;
}
