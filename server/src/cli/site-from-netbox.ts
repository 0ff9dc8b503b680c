import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import type { z } from 'zod';
import {
  netboxDeviceSchema,
  netboxListSchema,
  netboxRackSchema,
  siteFileFromNetbox,
  type NetboxOptions,
} from '../domain/fleet/netbox-site.js';
import { resolveSiteLayout } from '../domain/fleet/site-layout.js';

/**
 * `npm run site:from-netbox -- --racks racks.json --devices devices.json --feed-mw 300 --pue 1.25 > site.yaml`:
 * a NetBox export (the JSON of /api/dcim/racks/ and /api/dcim/devices/) as a site file
 * (docs/site-file.md#from-netbox). The file is checked as SITE_FILE checks it before it is
 * printed; devices left out (switches, unnamed, planned) are listed on stderr.
 */
const USAGE = [
  'usage: npm run site:from-netbox -- --racks <racks.json> --devices <devices.json> --feed-mw <MW> --pue <PUE>',
  '         [--site-id <id>] [--site-name <name>] [--model <device-type slug or model>=<GPU model key>[:<GPUs>]]…',
  '         [--nvlink-model <GPU model key>]… (default GB200: each rack of it is one NVLink domain)  [--json]',
].join('\n');

function main(): number {
  const { values } = parseArgs({
    options: {
      racks: { type: 'string' },
      devices: { type: 'string' },
      'feed-mw': { type: 'string' },
      pue: { type: 'string' },
      'site-id': { type: 'string' },
      'site-name': { type: 'string' },
      model: { type: 'string', multiple: true, default: [] },
      'nvlink-model': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  const feedMW = Number(values['feed-mw']);
  const pue = Number(values.pue);
  if (!values.racks || !values.devices || !(feedMW > 0) || !(pue >= 1)) {
    console.error(USAGE);
    return 2;
  }
  const racks = readList(values.racks, netboxRackSchema);
  const devices = readList(values.devices, netboxDeviceSchema);
  const deviceTypes: NetboxOptions['deviceTypes'] = {};
  for (const m of values.model) {
    const match = /^(.+)=([^:=]+)(?::(\d+))?$/.exec(m);
    if (!match?.[1] || !match[2]) throw new Error(`--model ${m}: write <device type>=<GPU model key>[:<GPUs>]`);
    deviceTypes[match[1]] = { model: match[2], ...(match[3] ? { gpus: Number(match[3]) } : {}) };
  }
  const firstSite = racks[0]?.site;
  const { file, leftOut } = siteFileFromNetbox(racks, devices, {
    site: {
      id: values['site-id'] ?? firstSite?.slug ?? 'site',
      name: values['site-name'] ?? firstSite?.name ?? 'Site',
      feedMW,
      pue,
    },
    deviceTypes,
    nvlinkModels: values['nvlink-model'] ?? ['GB200'],
  });
  for (const { reason, devices: names } of leftOut) console.error(`left out, ${reason}: ${names}`);
  const checked = resolveSiteLayout(file);
  if (!checked.ok) {
    console.error(`the converted site file is not valid:\n  ${checked.problems.join('\n  ')}`);
    return 1;
  }
  const gpus = checked.layout.nodes.reduce((sum, n) => sum + n.gpus, 0);
  console.error(`${checked.layout.nodes.length} nodes, ${gpus} GPUs, ${checked.layout.pods.length} pods; ${devices.length} devices read`);
  process.stdout.write(values.json ? `${JSON.stringify(file, null, 2)}\n` : YAML.stringify(file));
  return 0;
}

function readList<T extends z.ZodType>(path: string, item: T): Array<z.infer<T>> {
  const parsed = netboxListSchema(item).safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'not a NetBox export'}`);
  }
  return parsed.data as Array<z.infer<T>>;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`site:from-netbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
