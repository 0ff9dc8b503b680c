import { describe, expect, it } from 'vitest';
import { siteFileFromNetbox, type NetboxDevice, type NetboxRack } from '../../../server/src/domain/fleet/netbox-site.js';

const site = { name: 'DC 2', slug: 'dc2' };
const rack = (id: number, name: string, extra: Partial<NetboxRack> = {}): NetboxRack => ({ id, name, site, ...extra });
const device = (id: number, name: string | null, rackId: number | null, extra: Partial<NetboxDevice> = {}): NetboxDevice => ({
  id,
  name,
  device_type: { model: 'DGX H100', slug: 'dgx-h100' },
  rack: rackId === null ? null : { id: rackId, name: `rack ${rackId}` },
  ...extra,
});
const options = {
  site: { id: 'dc2', name: 'DC 2', feedMW: 1, pue: 1.2 },
  deviceTypes: { 'dgx-h100': { model: 'H100-SXM' } },
  nvlinkModels: ['GB200'],
};

describe('a NetBox export as a site file', () => {
  it("takes the hall from the rack's location, else its site; the row from custom field row, else the rack group; names as ids", () => {
    const { file } = siteFileFromNetbox(
      [
        rack(1, 'R1', { location: { name: 'Hall 2', slug: 'hall-2' }, group: { name: 'Row 7' } }),
        rack(2, 'Rack 02 (B)', { custom_fields: { row: 'B' } }),
      ],
      [],
      options,
    );
    expect(file.halls).toEqual([
      { id: 'hall-2', name: 'Hall 2' },
      { id: 'dc2', name: 'DC 2' },
    ]);
    expect(file.racks).toEqual([
      { id: 'R1', hall: 'hall-2', row: 'Row 7' },
      { id: 'Rack-02-B-', hall: 'dc2', row: 'B' },
    ]);
  });

  it('groups nodes by rack, model and GPU count as hostlists, and fabric units by their custom field, of the kind one of their devices names', () => {
    const { file, leftOut } = siteFileFromNetbox(
      [rack(1, 'R1')],
      [
        device(10, 'n02', 1, { position: '12.0', custom_fields: { fabric: 'su-1', fabric_kind: 'scalable-unit' } }),
        device(11, 'n01', 1, { position: 2, custom_fields: { fabric: 'su-1' } }),
        device(12, 'big', 1, { position: 20, custom_fields: { gpu_model: 'B200', gpu_count: '8' } }),
        device(13, 'gb-1', 1, { device_type: { model: 'GB200 tray', slug: 'gb200-tray' }, custom_fields: { gpu_model: 'GB200' } }),
      ],
      options,
    );
    expect(file.nodes).toEqual([
      { hosts: 'gb-1', rack: 'R1', model: 'GB200', gpus: 4 },
      { hosts: 'n[01-02]', rack: 'R1', model: 'H100-SXM', gpus: 8 },
      { hosts: 'big', rack: 'R1', model: 'B200', gpus: 8 },
    ]);
    expect(file.fabrics).toEqual([
      { id: 'R1-nvl', kind: 'nvlink', hosts: 'gb-1' },
      { id: 'su-1', kind: 'scalable-unit', hosts: 'n[01-02]' },
    ]);
    expect(leftOut).toEqual([]);
  });

  it('leaves out, with why, devices with no name, no rack, no GPU model or count, or not in the fleet', () => {
    const { file, leftOut } = siteFileFromNetbox(
      [rack(1, 'R1')],
      [
        device(20, null, 1),
        device(21, 'loose', null),
        device(22, 'elsewhere', 9),
        device(23, 'sw-1', 1, { device_type: { model: 'QM9700', slug: 'qm9700' } }),
        device(24, 'sw-2', 1, { device_type: { model: 'QM9700', slug: 'qm9700' } }),
        device(25, 'l4', 1, { custom_fields: { gpu_model: 'L4' } }),
        device(26, 'later', 1, { status: { value: 'planned' } }),
      ],
      options,
    );
    expect(file.nodes).toEqual([]);
    expect(leftOut).toEqual([
      { reason: 'no name (the host name telemetry reports)', devices: 'device 20' },
      { reason: 'in no rack', devices: 'loose' },
      { reason: 'rack rack 9 is not in the racks export', devices: 'elsewhere' },
      { reason: 'no GPU model (device type qm9700; custom field gpu_model or --model)', devices: 'sw-[1-2]' },
      { reason: 'no GPU count for L4 (custom field gpu_count or --model dgx-h100=L4:<gpus>)', devices: 'l4' },
      { reason: 'status planned', devices: 'later' },
    ]);
  });
});
