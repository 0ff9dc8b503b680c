/**
 * The pod attribution dcgm-exporter adds to a GPU's series: with `--kubernetes` (`-k`) it reads
 * the kubelet's pod-resources API and labels each GPU a pod holds with `namespace`, `pod` and
 * `container` (and `pod_uid`); with `--hpc-job-mapping-dir` it adds `hpc_job`. Kubernetes' own
 * naming rules bound them, so a value that breaks them is garbage, not a name.
 */

/** One GPU's attribution. `container` and `hpcJob` are null when the exporter sent none (or ""). */
export interface PodLabels {
  namespace: string;
  pod: string;
  container: string | null;
  hpcJob: string | null;
}

/** Label names as dcgm-exporter writes them (internal/pkg/transformation/const.go). */
export const POD_LABEL_NAMES = { namespace: 'namespace', pod: 'pod', container: 'container', hpcJob: 'hpc_job' } as const;
export type PodLabelField = keyof typeof POD_LABEL_NAMES;

/** RFC 1123 label (namespaces, container names): at most 63 of a–z, 0–9 and '-', alphanumeric at both ends. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 subdomain (pod names): dot-separated labels, at most 253 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_MAX = 253;
/** A job id from the HPC mapping files: printable ASCII without spaces, quotes or backslashes. */
const HPC_JOB = /^[!#-[\]-~]{1,128}$/;

const RULES: Record<PodLabelField, { ok: (v: string) => boolean; rule: string }> = {
  namespace: { ok: (v) => DNS_LABEL.test(v), rule: "a Kubernetes namespace name: at most 63 of a-z, 0-9 and '-'" },
  pod: {
    ok: (v) => v.length <= SUBDOMAIN_MAX && DNS_SUBDOMAIN.test(v),
    rule: "a Kubernetes pod name: at most 253 of a-z, 0-9, '-' and '.'",
  },
  container: { ok: (v) => DNS_LABEL.test(v), rule: "a Kubernetes container name: at most 63 of a-z, 0-9 and '-'" },
  hpcJob: { ok: (v) => HPC_JOB.test(v), rule: 'a job id: at most 128 printable characters, no spaces, quotes or backslashes' },
};

/**
 * Checks one GPU's raw attribution labels (undefined = label absent; "" counts as absent, as
 * dcgm-exporter prints `pod_uid=""`). Returns the attribution (null when no pod is named), or a
 * problem naming the label, e.g. `label namespace "Infer" is not a Kubernetes namespace name: …`.
 * A pod needs its namespace; an `hpc_job` alone attributes nothing (Slurm's own reader does that).
 */
export function readPodLabels(raw: Partial<Record<PodLabelField, string>>): { labels: PodLabels | null } | { problem: string } {
  for (const field of Object.keys(RULES) as PodLabelField[]) {
    const value = raw[field];
    if (value === undefined || value === '') continue;
    const { ok, rule } = RULES[field];
    if (!ok(value)) return { problem: `label ${POD_LABEL_NAMES[field]} ${quoted(value)} is not ${rule}` };
  }
  const pod = raw.pod ?? '';
  const namespace = raw.namespace ?? '';
  if (pod === '') return { labels: null };
  if (namespace === '') return { problem: `label pod ${quoted(pod)} has no namespace label` };
  return { labels: { namespace, pod, container: raw.container || null, hpcJob: raw.hpcJob || null } };
}

/** A value for a message: JSON-quoted, cut at 64 characters. */
function quoted(value: string): string {
  return JSON.stringify(value.length <= 64 ? value : `${value.slice(0, 64)}…`);
}
