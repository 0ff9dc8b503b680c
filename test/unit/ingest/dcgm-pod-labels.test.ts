import { describe, expect, it } from 'vitest';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { domainErrorOf, gpuLabels, lines, readFixture, series, type Labels } from './builders.js';

const POWER = 'DCGM_FI_DEV_POWER_USAGE';
const UTIL = 'DCGM_FI_DEV_GPU_UTIL';
const POD = { container: 'main', namespace: 'inference', pod: 'vllm-decode-7d9f8-x2k4q', pod_uid: '' };

/** One GPU's power and utilization lines with extra labels. */
const gpu = (i: number, extra: Labels = {}): string[] => [series(POWER, gpuLabels(i, extra), 120.5), series(UTIL, gpuLabels(i, extra), 0)];
const podOf = (text: string, opts = {}) => parseDcgmText(text, opts).samples.map((s) => s.pod ?? null);

describe('dcgm-exporter pod attribution labels', () => {
  it('reads the pods of the fixture: some GPUs with a pod, some without, an hpc_job alone attributing nothing', () => {
    const samples = parseDcgmText(readFixture('dcgm-exporter/k8s-pods-two-nodes.txt')).samples;
    expect(
      samples.map((s) => [s.host.slice(0, 6), s.index, s.pod?.namespace ?? null, s.pod?.pod ?? null, s.pod?.container ?? null]),
    ).toEqual([
      ['ip-100', 0, null, null, null],
      ['ip-100', 1, null, null, null],
      ['ip-100', 2, 'dynamo-workload', 'vllm-agg-0-vllmdecodeworker-dkb9q', 'main'],
      ['ip-100', 3, 'dynamo-workload', 'vllm-agg-0-vllmprefillworker-x7k2p', 'main'],
      ['ip-100', 4, 'research', 'llama-pretrain-worker-0', 'trainer'],
      ['ip-100', 5, 'research', 'llama-pretrain-worker-0', 'trainer'],
      ['ip-100', 6, 'research', 'llama-pretrain-worker-0', 'trainer'],
      ['ip-100', 7, 'research', 'llama-pretrain-worker-0', 'trainer'],
      ['gpu-b0', 0, null, null, null],
      ['gpu-b0', 1, null, null, null],
    ]);
  });

  it('reads the real capture’s one pod, with its empty pod_uid', () => {
    const pods = podOf(readFixture('dcgm-exporter/h100-node-sampled.txt'));
    expect(pods.filter((p) => p !== null)).toEqual([
      { namespace: 'dynamo-workload', pod: 'vllm-agg-0-vllmdecodeworker-dkb9q', container: 'main', hpcJob: null },
    ]);
  });

  it('keeps an hpc_job beside a pod, and reads empty labels as none', () => {
    expect(podOf(lines(...gpu(0, { ...POD, hpc_job: '4242' }), ...gpu(1, { container: '', namespace: '', pod: '', pod_uid: '' })))).toEqual(
      [{ namespace: 'inference', pod: POD.pod, container: 'main', hpcJob: '4242' }, null],
    );
    expect(podOf(lines(...gpu(0, { ...POD, container: '' })))).toEqual([
      { namespace: 'inference', pod: POD.pod, container: null, hpcJob: null },
    ]);
  });

  it('keeps the first pod of a shared GPU and its first reading (dcgm-exporter prints the device line, then one per pod)', () => {
    const text = lines(
      series(POWER, gpuLabels(0), 300),
      series(POWER, gpuLabels(0, POD), 150),
      series(POWER, gpuLabels(0, { ...POD, pod: 'vllm-decode-7d9f8-zzzzz' }), 150),
    );
    const [s] = parseDcgmText(text).samples;
    expect(s?.powerWatts).toBe(300);
    expect(s?.pod?.pod).toBe(POD.pod);
  });

  it.each([
    ['namespace', { ...POD, namespace: 'Inference' }, 'label namespace "Inference" is not a Kubernetes namespace name'],
    ['namespace', { ...POD, namespace: 'n'.repeat(64) }, 'label namespace'],
    ['pod', { ...POD, pod: `${'p'.repeat(250)}-abcd` }, 'label pod "pppp'],
    ['pod', { ...POD, pod: 'web_1' }, 'label pod "web_1" is not a Kubernetes pod name'],
    ['container', { ...POD, container: '-main' }, 'label container "-main" is not a Kubernetes container name'],
    ['hpc_job', { ...POD, hpc_job: 'job 7' }, 'label hpc_job "job 7" is not a job id'],
    ['namespace', { pod: POD.pod }, `label pod "${POD.pod}" has no namespace label`],
  ])('refuses a bad %s label, naming it, with the line', (_field, labels, message) => {
    const error = domainErrorOf(() => parseDcgmText(lines(...gpu(0), ...gpu(1, labels))));
    expect(error.code).toBe('invalid');
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^line 3: /);
  });

  it('refuses a pod label given twice', () => {
    const text = lines(`${POWER}{gpu="0",UUID="GPU-1",Hostname="a",namespace="x",pod="a",pod="b"} 1`);
    expect(domainErrorOf(() => parseDcgmText(text)).message).toContain('label pod appears twice');
  });

  it('still refuses a label past MAX_LABEL_LENGTH as too large, before the naming rules', () => {
    const error = domainErrorOf(() => parseDcgmText(lines(...gpu(0, { ...POD, pod: 'p'.repeat(300) })), { maxLabelLength: 256 }));
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('value of label pod longer than 256 characters');
  });
});
