import { describe, expect, it } from 'vitest';
import { noRoomForBlocks } from '../../../client/src/room-for-blocks.js';

const MW = 1e6;

describe('the power line says "no room for blocks" in words instead of a negative figure', () => {
  it('says nothing when headroom − reserved growth leaves room, zero included', () => {
    expect(noRoomForBlocks(141.4 * MW, 20 * MW)).toBeNull();
    expect(noRoomForBlocks(20 * MW, 20 * MW)).toBeNull();
  });

  it('names by how much the reserve’s growth exceeds the headroom', () => {
    expect(noRoomForBlocks(10 * MW, 13.1 * MW)).toBe('no room for blocks: the reserve’s growth exceeds the headroom by 3.1 MW');
  });

  it('says "less than 0.1 MW" where the shortfall would round to 0.0', () => {
    expect(noRoomForBlocks(10 * MW, 10 * MW + 20_000)).toBe(
      'no room for blocks: the reserve’s growth exceeds the headroom by less than 0.1 MW',
    );
  });

  it('says the facility is over the feed when there is no headroom at all', () => {
    expect(noRoomForBlocks(-2.5 * MW, 4 * MW)).toBe(
      'no room for blocks: the facility draws 2.5 MW over the feed, before the reserve’s growth',
    );
    expect(noRoomForBlocks(0, 4 * MW)).toBe('no room for blocks: the facility draws the whole feed, before the reserve’s growth');
  });
});
