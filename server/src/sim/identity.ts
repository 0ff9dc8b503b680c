import { gpuModelAt } from '../domain/fleet/gpu-models.js';
import { hash4, rehash, Stream } from './random.js';

/**
 * Names the simulated hardware carries in its telemetry: GPU UUIDs, PCI bus ids, model
 * names, the driver version and the names of internal Kubernetes inference pods.
 */

/** Driver of the real capture in fixtures/dcgm-exporter. */
export const DRIVER_VERSION = '580.105.08';

/** PCI bus ids of the eight H100s in fixtures/dcgm-exporter, by GPU index on the node. */
const H100_BUS_IDS = ['53', '64', '75', '86', '97', 'A8', 'B9', 'CA'];
/**
 * PCI bus ids of a GB200 compute tray's four GPUs, as a public dcgm-exporter capture of an AWS
 * GB200 node prints them (driver 580.126.20; test/fixtures/dcgm-exporter/README.md).
 */
const GB200_BUS_IDS = ['29', '3F', '9C', 'B2'];

/** `pci_bus_id` of GPU `gpuIndex` on a node of GPU model `modelIndex` (an HGX board's ids by default). */
export function pciBusIdOf(gpuIndex: number, modelIndex = 0): string {
  const ids = gpuModelAt(modelIndex).key === 'GB200' ? GB200_BUS_IDS : H100_BUS_IDS;
  const bus = ids[gpuIndex] ?? (0x53 + 0x11 * gpuIndex).toString(16).toUpperCase().padStart(2, '0');
  return `00000000:${bus}:00.0`;
}

/** The `modelName` a real exporter reports for a GPU_MODELS index: the model's first reported name. */
export function modelDisplayName(modelIndex: number): string {
  return gpuModelAt(modelIndex).reportedNames[0] ?? gpuModelAt(modelIndex).key;
}

const HEX = '0123456789abcdef';
/** Dashes of the 8-4-4-4-12 layout, by hex digit position. */
const UUID_DASH_AFTER = new Set([8, 12, 16, 20]);

/** `GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, deterministic in (seed, slot). */
export function gpuUuid(seed: number, slot: number): string {
  const bytes = new Uint8Array(GPU_UUID_LENGTH);
  writeGpuUuid(seed, slot, bytes, 0);
  return String.fromCharCode(...bytes);
}

export const GPU_UUID_LENGTH = 40;

/** Writes gpuUuid(seed, slot) as latin1 bytes at `at` (the renderer lays out 196,608 of them). */
export function writeGpuUuid(seed: number, slot: number, bytes: Uint8Array, at: number): number {
  let i = at;
  for (const c of 'GPU-') bytes[i++] = c.charCodeAt(0);
  // 128 bits as four 32-bit words, the first hashed from (seed, slot), the rest derived from it.
  const first = hash4(seed, Stream.gpuIdentity, slot, 0);
  const words = [first, rehash(first, 1), rehash(first, 2), rehash(first, 3)];
  for (let digit = 0; digit < 32; digit++) {
    if (UUID_DASH_AFTER.has(digit)) bytes[i++] = 0x2d;
    const nibble = ((words[digit >> 3] ?? 0) >>> (28 - 4 * (digit & 7))) & 15;
    bytes[i++] = HEX.charCodeAt(nibble);
  }
  return i;
}

const POD_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function kubeSuffix(hash: number, length: number): string {
  let out = '';
  let h = hash >>> 0;
  for (let i = 0; i < length; i++) {
    out += POD_NAME_ALPHABET[h % POD_NAME_ALPHABET.length] ?? 'x';
    h = Math.floor(h / POD_NAME_ALPHABET.length);
  }
  return out;
}

/** Namespace and container of the owner's internal inference deployments. */
export const INFERENCE_NAMESPACE = 'inference';
export const INFERENCE_CONTAINER = 'main';

/**
 * Kubernetes pod name of the inference replica holding a node during one inference slot,
 * shaped like a Deployment's pod (`vllm-decode-<template>-<suffix>`).
 */
export function inferencePodName(slotKey: number): string {
  // 27^5 < 2^32: five characters per 32-bit hash keep every character random.
  const template = kubeSuffix(rehash(slotKey, 11), 5) + kubeSuffix(rehash(slotKey, 12), 5);
  return `vllm-decode-${template}-${kubeSuffix(rehash(slotKey, 13), 5)}`;
}
