import { describe, expect, it } from 'vitest';
import { createTabTitle, tabTitle } from '../../../client/src/tab-title.js';

describe('the tab title shows the status', () => {
  it('shows sellable power and firing alerts while live', () => {
    expect(tabTitle({ link: 'live', sellableWatts: 80_240_000, firing: 2 })).toBe('Headroom · 80.2 MW sellable · 2 alerts firing');
    expect(tabTitle({ link: 'live', sellableWatts: 80_240_000, firing: 1 })).toBe('Headroom · 80.2 MW sellable · 1 alert firing');
  });

  it('leaves out what is not known or not happening', () => {
    expect(tabTitle({ link: 'live', sellableWatts: null, firing: 0 })).toBe('Headroom');
    expect(tabTitle({ link: 'live', sellableWatts: 0, firing: 0 })).toBe('Headroom · 0.0 MW sellable');
  });

  it('says only the link state when not live, since the figures may be stale', () => {
    expect(tabTitle({ link: 'disconnected', sellableWatts: 80_240_000, firing: 2 })).toBe('Headroom · DISCONNECTED');
    expect(tabTitle({ link: 'unauthorized', sellableWatts: null, firing: 0 })).toBe('Headroom · SIGN-IN NEEDED');
    expect(tabTitle({ link: 'connecting', sellableWatts: null, firing: 0 })).toBe('Headroom · CONNECTING');
  });
});

describe('the tab title is written only when it changes', () => {
  it('writes once per change of text, not once per update', () => {
    const written: string[] = [];
    const title = createTabTitle((t) => written.push(t));
    title({ link: 'live', sellableWatts: 80_240_000 });
    title({ sellableWatts: 80_240_000 });
    title({ sellableWatts: 80_210_000 }); // still "80.2 MW"
    title({ firing: 1 });
    title({ link: 'disconnected' });
    title({ sellableWatts: 10e6 }); // disconnected: the figure is not shown
    expect(written).toEqual(['Headroom · 80.2 MW sellable', 'Headroom · 80.2 MW sellable · 1 alert firing', 'Headroom · DISCONNECTED']);
  });
});
