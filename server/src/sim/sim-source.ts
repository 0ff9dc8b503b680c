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
  return {
    name: 'simulator',
    prepare(tMs: number): void {
      sim.advance(tMs);
    },
    targets: () => targets,
    sideBatch(): IngestBatch | null {
      if (Number.isNaN(sim.lastTickMs())) return null;
      return { samples: [], nodes: sim.nodeStatuses(), meters: sim.meters() };
    },
  };
}
