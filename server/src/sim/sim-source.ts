import type { IngestBatch } from '../domain/fleet/readings.js';
import type { TelemetrySource, TelemetryTarget } from '../domain/fleet/telemetry-source.js';
import type { Topology } from '../domain/fleet/topology.js';
import type { Simulator } from './simulator.js';

/**
 * The simulator as a telemetry source: each collection round advances it to the round's
 * time, then every node is a target serving its own dcgm-exporter text, exactly like a
 * scraped fleet; drains and facility meters come as a side batch.
 */
export function createSimSource(sim: Simulator, topology: Topology): TelemetrySource {
  const targets: TelemetryTarget[] = topology.nodes.map((node) => ({
    id: `sim:${node.host}`,
    host: node.host,
    read: () => sim.renderNode(node.index),
  }));
  let drained = new Set<string>();
  return {
    name: 'simulator',
    prepare(tMs: number): void {
      sim.advance(tMs);
    },
    targets: () => targets,
    sideBatch(): IngestBatch | null {
      if (Number.isNaN(sim.lastTickMs())) return null;
      const statuses = sim.nodeStatuses();
      const now = new Set(statuses.map((s) => s.host));
      // A drain that ended is said so: the collector keeps a node drained until told otherwise.
      for (const host of drained) if (!now.has(host)) statuses.push({ host, drained: false, reason: null });
      drained = now;
      return { samples: [], nodes: statuses, meters: sim.meters() };
    },
  };
}
