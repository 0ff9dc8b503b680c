import { z } from 'zod';
import { compressHostlist } from '../scheduler/hostlist.js';
import { NODE_SPECS } from './node-specs.js';
import type { SiteFile } from './site-file-schema.js';

/**
 * NetBox's racks and devices (the JSON of `/api/dcim/racks/` and `/api/dcim/devices/`, NetBox 4
 * field names: netbox/dcim/api/serializers_/racks.py and devices.py) as a site file
 * (docs/site-file.md#from-netbox). Only the fields read here are checked; the rest pass.
 *
 * - hall: the rack's `location` (slug), else its `site` (slug); row: the rack's custom field
 *   `row`, else its `group` (rack group) name; rack id: the rack's `name`.
 * - node: a device with a `name` and a `rack`. Its GPU model: custom field `gpu_model` (a model
 *   key), else the mapping given for its `device_type` (slug or model name). A device with
 *   neither (switches, PDUs) is left out and counted. GPU count: custom field `gpu_count`, else
 *   the mapping's, else the model's node spec. Devices `planned`, `decommissioning` or
 *   `inventory` are not in the fleet yet or any more: left out.
 * - fabric unit: custom field `fabric` names it (kind: custom field `fabric_kind`, default
 *   `leaf`); a device of an NVLink-rack model (GB200 by default) with no `fabric` joins its
 *   rack's NVLink domain (`<rack>-nvl`).
 */

const named = z.looseObject({ name: z.string(), slug: z.string().optional() });
const customFields = z.record(z.string(), z.unknown()).nullish();

export const netboxRackSchema = z.looseObject({
  id: z.number().int(),
  name: z.string().min(1),
  site: named,
  location: named.nullish(),
  group: named.nullish(),
  custom_fields: customFields,
});

export const netboxDeviceSchema = z.looseObject({
  id: z.number().int(),
  name: z.string().nullish(),
  device_type: z.looseObject({ model: z.string(), slug: z.string() }),
  rack: z.looseObject({ id: z.number().int(), name: z.string() }).nullish(),
  position: z.union([z.number(), z.string()]).nullish(),
  status: z.looseObject({ value: z.string() }).nullish(),
  custom_fields: customFields,
});

/** A list endpoint's answer (`{ count, next, previous, results }`) or its results alone. */
export const netboxListSchema = <T extends z.ZodType>(item: T) =>
  z.union([z.array(item), z.looseObject({ results: z.array(item) }).transform((page) => page.results)]);

export type NetboxRack = z.infer<typeof netboxRackSchema>;
export type NetboxDevice = z.infer<typeof netboxDeviceSchema>;

export interface NetboxOptions {
  site: { id: string; name: string; feedMW: number; pue: number };
  /** Device type slug or model name → GPU model key and GPUs per node (node spec's when absent). */
  deviceTypes: Record<string, { model: string; gpus?: number }>;
  /** Models whose racks are one NVLink domain each (NVL72). */
  nvlinkModels: readonly string[];
}

const NOT_IN_FLEET = new Set(['planned', 'decommissioning', 'inventory']);
const FABRIC_KINDS = new Set<string>(['nvlink', 'leaf', 'scalable-unit']);

/** The site file, and the devices left out grouped by why (`no GPU model (device type qm9700…)`: `leaf-[01-02]`). */
export function siteFileFromNetbox(
  racks: readonly NetboxRack[],
  devices: readonly NetboxDevice[],
  options: NetboxOptions,
): { file: SiteFile; leftOut: Array<{ reason: string; devices: string }> } {
  const halls = new Map<string, string>();
  const rackById = new Map<number, { id: string; order: number }>();
  const fileRacks: SiteFile['racks'] = [];
  for (const r of racks) {
    const hall = idOf(r.location?.slug ?? r.location?.name ?? r.site.slug ?? r.site.name);
    halls.set(hall, r.location?.name ?? r.site.name);
    const row = text(r.custom_fields?.row) ?? r.group?.name;
    rackById.set(r.id, { id: idOf(r.name), order: fileRacks.length });
    fileRacks.push({ id: idOf(r.name), hall, ...(row ? { row } : {}) });
  }

  const left = new Map<string, string[]>();
  const leaveOut = (who: string, reason: string): void => void left.set(reason, [...(left.get(reason) ?? []), who]);
  const placed: Array<{
    host: string;
    rack: string;
    order: number;
    position: number;
    model: string;
    gpus: number;
    fabric: string | null;
    kind: string | null;
  }> = [];
  for (const d of devices) {
    const who = d.name ?? `device ${d.id}`;
    const rack = d.rack ? rackById.get(d.rack.id) : undefined;
    const mapped = options.deviceTypes[d.device_type.slug] ?? options.deviceTypes[d.device_type.model];
    const model = text(d.custom_fields?.gpu_model) ?? mapped?.model;
    if (d.status && NOT_IN_FLEET.has(d.status.value)) leaveOut(who, `status ${d.status.value}`);
    else if (!d.name) leaveOut(who, 'no name (the host name telemetry reports)');
    else if (!rack) leaveOut(who, d.rack ? `rack ${d.rack.name} is not in the racks export` : 'in no rack');
    else if (!model) leaveOut(who, `no GPU model (device type ${d.device_type.slug}; custom field gpu_model or --model)`);
    else {
      const gpus = count(d.custom_fields?.gpu_count) ?? mapped?.gpus ?? NODE_SPECS[model]?.gpusPerNode;
      if (gpus === undefined) {
        leaveOut(who, `no GPU count for ${model} (custom field gpu_count or --model ${d.device_type.slug}=${model}:<gpus>)`);
        continue;
      }
      const named = text(d.custom_fields?.fabric);
      const fabric = named ? idOf(named) : options.nvlinkModels.includes(model) ? `${rack.id}-nvl` : null;
      const kindField = text(d.custom_fields?.fabric_kind);
      const kind = kindField && FABRIC_KINDS.has(kindField) ? kindField : null;
      const position = Number(d.position ?? 0);
      placed.push({
        host: d.name,
        rack: rack.id,
        order: rack.order,
        position: Number.isFinite(position) ? position : 0,
        model,
        gpus,
        fabric,
        kind,
      });
    }
  }
  // Rack by rack, bottom up, as the rack elevation shows them.
  placed.sort((a, b) => a.order - b.order || a.position - b.position || a.host.localeCompare(b.host));

  const nodes = new Map<string, { rack: string; model: string; gpus: number; hosts: string[] }>();
  const fabrics = new Map<string, { kind: string | null; hosts: string[]; nvlinkRack: boolean }>();
  for (const p of placed) {
    const key = `${p.rack}\u0000${p.model}\u0000${p.gpus}`;
    const entry = nodes.get(key) ?? { rack: p.rack, model: p.model, gpus: p.gpus, hosts: [] };
    entry.hosts.push(p.host);
    nodes.set(key, entry);
    if (p.fabric === null) continue;
    // The kind one of its devices names (the first), else leaf — or nvlink for an NVLink rack's own domain.
    const unit = fabrics.get(p.fabric) ?? { kind: null, hosts: [], nvlinkRack: p.fabric === `${p.rack}-nvl` };
    unit.kind ??= p.kind;
    unit.hosts.push(p.host);
    fabrics.set(p.fabric, unit);
  }
  const file: SiteFile = {
    site: { id: options.site.id, name: options.site.name, feedMW: options.site.feedMW, pue: options.site.pue },
    halls: [...halls].map(([id, name]) => ({ id, name })),
    racks: fileRacks,
    nodes: [...nodes.values()].map((n) => ({ hosts: compressHostlist(n.hosts), rack: n.rack, model: n.model, gpus: n.gpus })),
    fabrics: [...fabrics].map(([id, f]) => ({ id, kind: fabricKind(f.kind, f.nvlinkRack), hosts: compressHostlist(f.hosts) })),
  };
  return { file, leftOut: [...left].map(([reason, names]) => ({ reason, devices: compressHostlist(names) })) };
}

const fabricKind = (kind: string | null, nvlinkRack: boolean): SiteFile['fabrics'][number]['kind'] =>
  kind === 'nvlink' || kind === 'leaf' || kind === 'scalable-unit' ? kind : nvlinkRack ? 'nvlink' : 'leaf';

/** A NetBox name as a site-file id: other characters than letters, digits and `. _ -` become `-` (`Rack 01` → `Rack-01`). */
const idOf = (name: string): string =>
  name
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '') || 'x';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

const count = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
};
