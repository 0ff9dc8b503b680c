import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * SCRAPE_TARGETS_FILE: the scrape targets of a fleet too large for an environment variable
 * (24,576 URLs ≈ 0.9 MB; Linux caps one environment string at 128 KiB, MAX_ARG_STRLEN).
 *
 * Two formats, told apart by the first non-blank character (`[` is JSON):
 * - a list: one URL a line (`http://node1:9400/metrics`); blank lines and `#` comments (whole
 *   line or after the URL) are skipped;
 * - Prometheus file_sd JSON: `[{ "targets": ["host:port", …], "labels": { … } }, …]`, as
 *   Prometheus' `file_sd_configs` reads it. A target is `host:port`; its URL is
 *   `<__scheme__>://host:port<__metrics_path__>`, those two labels defaulting to `http` and
 *   `/metrics` as in Prometheus. Other labels are accepted and not used (Headroom takes a GPU's
 *   identity and host from the exporter's own labels).
 */

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const fileSdSchema = z.array(
  z.strictObject({
    targets: z.array(z.string().min(1, 'must not be empty')),
    labels: z.record(z.string().regex(labelName, 'is not a Prometheus label name'), z.string()).optional(),
  }),
);

/** A problem in a targets file, naming the file and where in it. */
export class TargetsFileError extends Error {
  constructor(file: string, where: string, problem: string) {
    super(`SCRAPE_TARGETS_FILE ${file}: ${where}: ${problem}`);
    this.name = 'TargetsFileError';
  }
}

/** A target URL and where it was found (for duplicate messages). */
export interface ListedTarget {
  url: string;
  where: string;
}

/** Reads and checks a targets file; throws TargetsFileError (or the read's own error, with the file named). */
export function readScrapeTargetsFile(file: string): ListedTarget[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TargetsFileError(file, 'cannot read', error instanceof Error ? error.message : String(error));
  }
  return parseScrapeTargets(text, file);
}

/**
 * Parses a targets file's text (either format). Each URL must be http(s) with a host; a
 * duplicate within the file is refused with both places named.
 */
export function parseScrapeTargets(text: string, file: string): ListedTarget[] {
  const targets = text.trimStart().startsWith('[') ? parseFileSd(text, file) : parseLines(text, file);
  const seen = new Map<string, string>();
  for (const t of targets) {
    const first = seen.get(t.url);
    if (first !== undefined) throw new TargetsFileError(file, t.where, `${t.url} is listed already (${first})`);
    seen.set(t.url, t.where);
  }
  return targets;
}

function parseLines(text: string, file: string): ListedTarget[] {
  const targets: ListedTarget[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const entry = (hash < 0 ? lines[i]! : lines[i]!.slice(0, hash)).trim();
    if (entry === '') continue;
    const where = `line ${i + 1}`;
    if (/\s/.test(entry)) throw new TargetsFileError(file, where, `"${entry}" holds a space: one URL a line`);
    targets.push({ url: checkedUrl(entry, file, where), where });
  }
  return targets;
}

function parseFileSd(text: string, file: string): ListedTarget[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? `line ${lineOf(text, Number(position[1]))}` : 'JSON';
    throw new TargetsFileError(file, where, `not valid JSON (${message})`);
  }
  const parsed = fileSdSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TargetsFileError(file, `file_sd ${jsonPath(issue.path)}`, issue.message);
  }
  const targets: ListedTarget[] = [];
  parsed.data.forEach((group, g) => {
    const scheme = group.labels?.__scheme__ ?? 'http';
    const path = group.labels?.__metrics_path__ ?? '/metrics';
    group.targets.forEach((address, t) => {
      const where = `file_sd [${g}].targets[${t}]`;
      if (address.includes('/'))
        throw new TargetsFileError(
          file,
          where,
          `"${address}" is not host:port (file_sd targets are addresses; the path comes from __metrics_path__)`,
        );
      targets.push({ url: checkedUrl(`${scheme}://${address}${path.startsWith('/') ? path : `/${path}`}`, file, where), where });
    });
  });
  return targets;
}

function checkedUrl(candidate: string, file: string, where: string): string {
  if (!URL.canParse(candidate)) throw new TargetsFileError(file, where, `"${candidate}" is not a URL`);
  const url = new URL(candidate);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetsFileError(file, where, `"${candidate}" is not http or https`);
  if (url.hostname === '') throw new TargetsFileError(file, where, `"${candidate}" has no host`);
  return candidate;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') || '(top)';
}
