/**
 * `nvidia-smi --query-gpu` field names: the default column order, the aliases nvidia-smi
 * accepts, and what we read from each column.
 */

/** The column order of fixtures/nvidia-smi (what our collectors ask for). */
export const NVIDIA_SMI_DEFAULT_FIELDS: readonly string[] = [
  'timestamp',
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'driver_version',
  'pstate',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'power.draw',
  'power.limit',
  'enforced.power.limit',
  'temperature.gpu',
  'clocks.sm',
  'clocks.max.sm',
];

/**
 * Query aliases → the name nvidia-smi prints in the CSV header (help-query-gpu.txt lists
 * both; the header uses the first, e.g. `clocks.sm` is printed as `clocks.current.sm`).
 */
const ALIASES: Readonly<Record<string, string>> = {
  gpu_name: 'name',
  gpu_serial: 'serial',
  gpu_uuid: 'uuid',
  gpu_bus_id: 'pci.bus_id',
  'clocks.gr': 'clocks.current.graphics',
  'clocks.sm': 'clocks.current.sm',
  'clocks.mem': 'clocks.current.memory',
  'clocks.video': 'clocks.current.video',
  'clocks.max.gr': 'clocks.max.graphics',
  'clocks.max.mem': 'clocks.max.memory',
  'gpu.power.draw.average': 'power.draw.average',
  'gpu.power.draw.instant': 'power.draw.instant',
  'gpu.power.requested_limit': 'power.limit',
  'gpu.power.current_limit': 'enforced.power.limit',
  'gpu.power.default_limit': 'power.default_limit',
  'gpu.power.min_limit': 'power.min_limit',
  'gpu.power.max_limit': 'power.max_limit',
};

/** What a column feeds in a GpuSample, and the unit its values may carry. */
export type ColumnRole =
  | { kind: 'timestamp' }
  | { kind: 'index' }
  | { kind: 'uuid' }
  | { kind: 'name' }
  | {
      kind: 'measure';
      field: 'utilPercent' | 'powerWatts' | 'powerLimitWatts' | 'memUsedMiB' | 'memTotalMiB';
      unit: string;
      min: number;
      max: number;
    }
  | { kind: 'ignored' };

export const POWER_MAX_WATTS = 5000;

const ROLES: Readonly<Record<string, ColumnRole>> = {
  timestamp: { kind: 'timestamp' },
  index: { kind: 'index' },
  uuid: { kind: 'uuid' },
  name: { kind: 'name' },
  'utilization.gpu': { kind: 'measure', field: 'utilPercent', unit: '%', min: 0, max: 100 },
  'power.draw': { kind: 'measure', field: 'powerWatts', unit: 'W', min: 0, max: POWER_MAX_WATTS },
  // power.draw is a 1 s average on Ampere and newer; the explicit variants stand in when it is not queried.
  'power.draw.average': { kind: 'measure', field: 'powerWatts', unit: 'W', min: 0, max: POWER_MAX_WATTS },
  'power.draw.instant': { kind: 'measure', field: 'powerWatts', unit: 'W', min: 0, max: POWER_MAX_WATTS },
  // The limit the board holds to now (the lowest of every limit set); power.limit (the one set by software) stands in.
  'enforced.power.limit': { kind: 'measure', field: 'powerLimitWatts', unit: 'W', min: 0, max: POWER_MAX_WATTS },
  'power.limit': { kind: 'measure', field: 'powerLimitWatts', unit: 'W', min: 0, max: POWER_MAX_WATTS },
  'memory.used': { kind: 'measure', field: 'memUsedMiB', unit: 'MiB', min: 0, max: Number.POSITIVE_INFINITY },
  'memory.total': { kind: 'measure', field: 'memTotalMiB', unit: 'MiB', min: 0, max: Number.POSITIVE_INFINITY },
};

/** Names that make a first line a header rather than values. */
const HEADER_MARKERS = new Set<string>([
  ...NVIDIA_SMI_DEFAULT_FIELDS,
  ...Object.values(ALIASES),
  ...Object.keys(ALIASES),
  'clocks.current.sm',
]);

/** `power.draw [W]` → { name: 'power.draw', unit: 'W' }; names are canonicalised. */
export function splitHeaderCell(cell: string): { name: string; unit: string | null } {
  const bracket = /^(.*?)\s*\[([^\]]*)\]$/.exec(cell);
  const raw = bracket ? (bracket[1] ?? '') : cell;
  return { name: canonicalField(raw.trim()), unit: bracket ? (bracket[2] ?? null) : null };
}

export function canonicalField(name: string): string {
  return ALIASES[name] ?? name;
}

export function roleOf(name: string): ColumnRole {
  return ROLES[name] ?? { kind: 'ignored' };
}

/**
 * A first line is a header when every cell looks like a field name (optionally with a
 * ` [unit]` suffix) and at least one is a field we know. Data rows hold timestamps, numbers
 * with spaces, UUIDs with dashes — never only dotted identifiers.
 */
export function looksLikeHeader(cells: readonly string[]): boolean {
  const identifier = /^[A-Za-z_][A-Za-z0-9_.]*(?:\s*\[[^\]]*\])?$/;
  return cells.every((c) => identifier.test(c)) && cells.some((c) => HEADER_MARKERS.has(splitHeaderCell(c).name));
}
