import { describe, expect, it } from 'vitest';
import { GPU_MODELS } from '../../../server/src/domain/fleet/gpu-models.js';
import { resolveSiteLayout, type SiteLayout } from '../../../server/src/domain/fleet/site-layout.js';
import { buildSiteTopology } from '../../../server/src/domain/fleet/site-topology.js';
import { gpuCount } from '../../../server/src/domain/fleet/topology.js';

// The tests break the file in every way a person could, so its drafts are untyped on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Draft = Record<string, any>;

/** A valid two-model site: r1 holds 2 H100 nodes under leaf l1, r2 one GB200 NVL72 rack. */
function file(change: (f: Draft) => void = () => {}): Draft {
  const f: Draft = {
    site: { id: 'tiny', name: 'Tiny', feedMW: 1.5, pue: 1.2 },
    halls: [{ id: 'h1' }, { id: 'h2' }],
    racks: [
      { id: 'r1', hall: 'h1', row: 'a' },
      { id: 'r2', hall: 'h1', row: 'a' },
      { id: 'r3', hall: 'h2' },
    ],
    nodes: [
      { hosts: 'n[1-2]', rack: 'r1', model: 'H100-SXM', gpus: 8 },
      { hosts: 'gb-t[01-18]', rack: 'r2', model: 'GB200', gpus: 4 },
    ],
    fabrics: [
      { id: 'l1', kind: 'leaf', hosts: 'n[1-2]' },
      { id: 'nvl-r2', kind: 'nvlink', racks: ['r2'] },
    ],
  };
  change(f);
  return f;
}

function problems(input: unknown): string[] {
  const result = resolveSiteLayout(input);
  if (result.ok) throw new Error('the file was accepted');
  return result.problems;
}

function layout(input: unknown): SiteLayout {
  const result = resolveSiteLayout(input);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.layout;
}

const modelKey = (i: number): string | undefined => GPU_MODELS[i]?.key;

describe('a site file resolved into pods', () => {
  it('makes each fabric unit one pod of its kind and model, with its nodes, GPUs and the feed in watts', () => {
    const t = buildSiteTopology(layout(file()));
    expect(t.site).toEqual({ id: 'tiny', name: 'Tiny', feedWatts: 1_500_000, pue: 1.2 });
    expect(t.halls.map((h) => h.id)).toEqual(['h1', 'h2']);
    expect(t.pods.map((p) => [p.id, modelKey(p.modelIndex), p.fabric, p.nodes.length])).toEqual([
      ['l1', 'H100-SXM', 'leaf', 2],
      ['nvl-r2', 'GB200', 'nvlink', 18],
    ]);
    expect(gpuCount(t)).toBe(2 * 8 + 18 * 4);
    expect(t.nodes[2]).toMatchObject({ host: 'gb-t01', rack: 'r2', hallIndex: 0, podIndex: 1, maxInputWatts: 7_333, baseWatts: 1_200 });
    expect(t.nodeByHost.get('n2')).toBe(1);
  });

  it('puts nodes in no fabric unit into one pod per rack and model, named after the rack', () => {
    const t = buildSiteTopology(
      layout(
        file((f) => {
          f.nodes.push({ hosts: ['x1', 'x2'], rack: 'r3', model: 'H200-SXM', gpus: 8 });
          f.nodes.push({ hosts: 'y1', rack: 'r3', model: 'L40S', gpus: 4 });
          f.nodes.push({ hosts: 'n3', rack: 'r1', model: 'H100-SXM', gpus: 8 });
        }),
      ),
    );
    expect(t.pods.map((p) => [p.id, modelKey(p.modelIndex), p.fabric, p.hallIndex, p.nodes.map((n) => t.nodes[n]?.host)])).toEqual([
      ['l1', 'H100-SXM', 'leaf', 0, ['n1', 'n2']],
      ['r1', 'H100-SXM', 'pod', 0, ['n3']],
      ['nvl-r2', 'GB200', 'nvlink', 0, expect.any(Array)],
      ['r3-H200-SXM', 'H200-SXM', 'pod', 1, ['x1', 'x2']],
      ['r3-L40S', 'L40S', 'pod', 1, ['y1']],
    ]);
  });

  it("takes a node's power from the file, else its model's node spec per GPU, else the DGX H100's ratios", () => {
    const t = buildSiteTopology(
      layout(
        file((f) => {
          f.nodes.push({ hosts: 'own', rack: 'r3', model: 'H100-SXM', gpus: 8, maxInputWatts: 9_000, baseWatts: 1_500 });
          f.nodes.push({ hosts: 'half', rack: 'r3', model: 'H100-SXM', gpus: 4 });
          f.nodes.push({ hosts: 'l40s', rack: 'r3', model: 'L40S', gpus: 4 });
        }),
      ),
    );
    const power = (host: string) => {
      const n = t.nodes[t.nodeByHost.get(host) ?? -1];
      return [n?.maxInputWatts, n?.baseWatts];
    };
    expect(power('own')).toEqual([9_000, 1_500]);
    // 10,200 W and 2,000 W for 8 GPUs → half for 4.
    expect(power('half')).toEqual([5_100, 1_000]);
    // No node spec for L40S: 4 × 350 W × 10,200 / 5,600 = 2,550 W; base 4 × 250 W.
    expect(power('l40s')).toEqual([2_550, 1_000]);
  });
});

describe('an invalid site file is refused, naming the path and field', () => {
  it('refuses a node in two racks (the same host twice)', () => {
    expect(problems(file((f) => f.nodes.push({ hosts: 'n2', rack: 'r3', model: 'H100-SXM', gpus: 8 })))).toEqual([
      'nodes[2].hosts: "n2" is listed already at nodes[0] (rack "r1"); a node is in one rack',
    ]);
  });

  it('refuses a rack in no hall, and a rack with no hall field', () => {
    expect(problems(file((f) => (f.racks[2].hall = 'h09')))).toEqual(['racks[2].hall: "h09" is not a hall (halls: h1, h2)']);
    expect(problems(file((f) => delete f.racks[1].hall))[0]).toMatch(/^racks\[1\]\.hall: /);
  });

  it('refuses an unknown model key, listing the known ones from the model table', () => {
    const [p] = problems(file((f) => (f.nodes[0].model = 'H100')));
    expect(p).toBe(`nodes[0].model: "H100" is not a GPU model key (known: ${GPU_MODELS.map((m) => m.key).join(', ')})`);
    expect(p).toContain('H100-SXM, H200-SXM');
  });

  it('refuses a fabric unit spanning models, and one spanning halls', () => {
    expect(problems(file((f) => (f.fabrics = [{ id: 'l1', kind: 'leaf', racks: ['r1', 'r2'] }])))).toEqual([
      'fabrics[0]: fabric unit "l1" spans GPU models H100-SXM (2 nodes) and GB200 (18 nodes); a fabric unit is one model',
    ]);
    const spanning = file((f) => {
      f.nodes.push({ hosts: 'm1', rack: 'r3', model: 'H100-SXM', gpus: 8 });
      f.fabrics[0].hosts = 'n1,n2,m1';
    });
    expect(problems(spanning)).toEqual([
      'fabrics[0]: fabric unit "l1" spans halls h1 (2 nodes) and h2 (1 node); a fabric unit is in one hall',
    ]);
  });

  it('refuses a node in two fabric units', () => {
    expect(problems(file((f) => f.fabrics.push({ id: 'l2', kind: 'leaf', hosts: ['n2'] })))).toEqual([
      'fabrics[2].hosts: node "n2" is in fabrics[0] ("l1") already; a node is in one fabric unit',
    ]);
  });

  it('refuses duplicate hall, rack and fabric ids, and a pod id taken twice', () => {
    expect(problems(file((f) => f.halls.push({ id: 'h1' })))).toEqual(['halls[2].id: "h1" is used by halls[0] already']);
    expect(problems(file((f) => f.racks.push({ id: 'r2', hall: 'h2' })))).toEqual(['racks[3].id: "r2" is used by racks[1] already']);
    expect(problems(file((f) => f.fabrics.push({ id: 'l1', kind: 'leaf', racks: ['r3'] })))).toContain(
      'fabrics[2].id: "l1" is used by fabrics[0] already',
    );
    // Rack r1's unfabricked node would make pod "r1", which fabric "r1" already names.
    const clash = file((f) => {
      f.fabrics[0].id = 'r1';
      f.fabrics[0].hosts = 'n1';
    });
    expect(problems(clash)).toEqual([
      'racks[0].id: the nodes of racks[0] in no fabric unit make pod "r1", the id of fabrics[0]; rename the fabric unit or put them in it',
    ]);
  });

  it('refuses unknown racks and hosts, empty fabric units, bad hostlists and unknown fields', () => {
    expect(problems(file((f) => (f.nodes[0].rack = 'r9')))).toContain('nodes[0].rack: "r9" is not a rack');
    expect(problems(file((f) => (f.fabrics[1].racks = ['r9'])))).toEqual([
      'fabrics[1].racks[0]: "r9" is not a rack',
      'fabrics[1]: fabric unit "nvl-r2" holds no node',
    ]);
    expect(problems(file((f) => (f.fabrics[0].hosts = 'n[1-3]')))).toEqual(['fabrics[0].hosts: "n3" is not a node of the file']);
    expect(problems(file((f) => (f.nodes[0].hosts = 'n[2-1]')))[0]).toMatch(/^nodes\[0\]\.hosts: reversed range "2-1"/);
    expect(problems(file((f) => (f.nodes[0].maxInputWats = 9_000)))).toEqual(['nodes[0].maxInputWats: is not a field of the site file']);
    expect(problems(file((f) => (f.site.feedWatts = 1_000)))).toEqual(['site.feedWatts: give the feed once: feedWatts or feedMW']);
    // Pod ids go into URLs and history scopes (`scope=pod:<id>`).
    expect(problems(file((f) => (f.fabrics[0].id = 'leaf:1/a')))).toEqual([
      'fabrics[0].id: must be letters, digits and . _ - (starting with a letter or digit)',
    ]);
    expect(problems(file((f) => (f.nodes[1].gpus = 0)))[0]).toMatch(/^nodes\[1\]\.gpus: /);
    expect(problems(file((f) => (f.nodes[0].baseWatts = 20_000)))).toEqual([
      'nodes[0].baseWatts: 20000 W is not below maxInputWatts (10200 W)',
    ]);
  });
});
