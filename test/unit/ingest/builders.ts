/** Fixtures and small builders for the ingest parser tests. */
import { expect } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';

/** A file of test/fixtures (real nvidia-smi and dcgm-exporter output). */
export { fixture as readFixture } from '../../fixtures/index.js';

export type Labels = Record<string, string>;

/** The label set dcgm-exporter prints for GPU `i` of a node, in its order. */
export function gpuLabels(i: number, overrides: Labels = {}): Labels {
  return {
    gpu: String(i),
    UUID: gpuUuid(i),
    pci_bus_id: `00000000:${(0x53 + i * 0x11).toString(16).toUpperCase()}:00.0`,
    device: `nvidia${i}`,
    modelName: 'NVIDIA H100 80GB HBM3',
    Hostname: 'node-a',
    DCGM_FI_DRIVER_VERSION: '580.105.08',
    ...overrides,
  };
}

export function gpuUuid(i: number): string {
  return `GPU-0000000${i}-40a0-40ae-3fc5-82b8ff8b813${i}`;
}

/** Labels without the given keys. */
export function without(labels: Labels, ...keys: string[]): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !keys.includes(k)));
}

/** One series line; `separator` ', ' reproduces older exporters. */
export function series(name: string, labels: Labels, value: string | number, separator = ','): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(separator);
  return `${name}{${body}} ${value}`;
}

export function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

/** Runs `fn`, expects a DomainError, and returns it for closer checks. */
export function domainErrorOf(fn: () => unknown): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DomainError);
  return caught as DomainError;
}
