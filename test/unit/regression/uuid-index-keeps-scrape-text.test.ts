import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { tinyTopology } from '../fleet/builders.js';

/**
 * Issue 7, benchmark 8: the UUIDs a process learnt from scrapes were slices of the scraped text
 * (V8 keeps substrings of 13+ characters as views of their parent), so the UUID index kept every
 * node's whole text alive — ≈ 400 MB of a Colossus process's ≈ 470-MB heap after a full GC.
 */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const TEXT_PADDING_CHARS = 4_000_000;

/** One node's exporter text, padded by a comment of TEXT_PADDING_CHARS (a stand-in for its other families). */
function nodeText(host: string, node: number): string {
  const lines = [`# ${'x'.repeat(TEXT_PADDING_CHARS)}`];
  for (let gpu = 0; gpu < 8; gpu++) {
    const uuid = `GPU-${String(node).padStart(8, '0')}-0000-0000-0000-${String(gpu).padStart(12, '0')}`;
    lines.push(`DCGM_FI_DEV_GPU_UTIL{gpu="${gpu}",UUID="${uuid}",Hostname="${host}"} 50`);
  }
  return lines.join('\n');
}

describe('regression: the UUID index kept the scraped texts alive', () => {
  it('keeps none of a scrape’s text once its GPUs are bound, in the index or in the new bindings', () => {
    const state = createFleetState(tinyTopology(1, 4, 4));
    const hosts = state.topology.nodes.map((n) => n.host);
    gc();
    const before = process.memoryUsage().heapUsed;
    // The new bindings are kept too, as the collector keeps them until it saves them.
    const bindings = hosts.flatMap((host, i) => applyBatch(state, parseDcgmText(nodeText(host, i)), 1_000).bindings);
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    expect(state.slotByUuid.size).toBe(8 * hosts.length);
    expect(bindings).toHaveLength(8 * hosts.length);
    // The texts were 16 × 4 MB (latin-1); what stays is the bound UUIDs and the index (and at
    // most the last text, which the test's own frame may still hold).
    expect(hosts).toHaveLength(16);
    expect(kept).toBeLessThan(2 * TEXT_PADDING_CHARS);
  });
});
