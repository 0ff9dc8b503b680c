import { buildPreset, type PresetName } from './presets.js';
import type { SiteLayout } from './site-layout.js';
import { addNode, addPod, addSlot, emptyTopology, type Site, type Topology } from './topology.js';

/** Where the site comes from: a preset by name, or a site file's checked layout (SITE_FILE). */
export type SiteSource = { preset: PresetName } | { layout: SiteLayout };

/**
 * A fresh topology of a site file's layout, every node with its GPU slots, none seen yet.
 * `site` renames it (SITE_ID / SITE_NAME), as buildPreset's does.
 */
export function buildSiteTopology(layout: SiteLayout, site: Partial<Pick<Site, 'id' | 'name'>> = {}): Topology {
  const topology = emptyTopology({ ...layout.site, ...site });
  topology.halls = layout.halls.map((id, index) => ({ id, index }));
  for (const pod of layout.pods) addPod(topology, pod);
  for (const n of layout.nodes) {
    const node = addNode(topology, n.host, n.hallIndex, n.podIndex, n.rack, n.modelIndex, n);
    for (let g = 0; g < n.gpus; g++) addSlot(topology, node);
    topology.pods[n.podIndex]?.nodes.push(node.index);
  }
  return topology;
}

/** The site's topology from its source: the same site every time it is called (the collector's, the simulator's, the backfill worker's). */
export function buildSite(source: SiteSource, site: Partial<Pick<Site, 'id' | 'name'>> = {}): Topology {
  return 'layout' in source ? buildSiteTopology(source.layout, site) : buildPreset(source.preset, site);
}
