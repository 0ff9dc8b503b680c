/**
 * dcgm-exporter text (Prometheus exposition format 0.0.4) → IngestBatch.
 *
 * A hand-written single-pass scanner: this runs on every scrape of every node (≈1.5M series
 * lines per 10 s at full scale), so it walks the text with charCodeAt/indexOf, keeps only the
 * label values it needs as offsets, and parses each distinct label block once (see
 * dcgm-labels.ts). Pure: no I/O, no clock.
 */
import { DomainError } from '../../domain/errors.js';
import type { GpuSample, IngestBatch } from '../../domain/fleet/readings.js';
import type { InstanceAcc } from './dcgm-fold.js';
import { FAMILY_COUNT, FAMILY_NAMES, foldGpu, rangeViolated, GpuAcc } from './dcgm-fold.js';
import { LabelBlock, LabelScanner, skipWs, type FailFn, type TooLongFn } from './dcgm-labels.js';
import {
  blankToNaN,
  canonicalLabelSet,
  CH_CR,
  CH_HASH,
  CH_LBRACE,
  CH_SPACE,
  CH_TAB,
  ERROR_SNIPPET_CHARS,
  isNameChar,
  isNameStart,
  parseFloatToken,
  unescapeLabelValue,
} from './dcgm-lexer.js';
import { labelTooLong } from './label-length.js';
import { readPodLabels, type PodLabels } from '../../domain/scheduler/pod-labels.js';

export interface DcgmParseOptions {
  /** Host for series that carry no `Hostname`/`hostname` label (e.g. the scrape target's name). */
  defaultHost?: string;
  /** Reject texts with more lines than this (code `too_large`). No limit when omitted. */
  maxLines?: number;
  /** Reject texts with more series (sample lines) than this (code `too_large`). No limit when omitted. */
  maxSeries?: number;
  /** Reject texts with a label name or (unescaped) label value of more characters than this (code `too_large`). No limit when omitted. */
  maxLabelLength?: number;
}

/** How many recent label blocks a cache miss compares against before scanning afresh. */
const BLOCK_SEARCH_DEPTH = 64;

/**
 * Parses one dcgm-exporter scrape into one GpuSample per GPU UUID (offsetMs 0), GPUs in the
 * order first seen.
 *
 * - Reads DCGM_FI_DEV_GPU_UTIL (%), _POWER_USAGE (W), _FB_USED/_FB_FREE/_FB_RESERVED (MiB),
 *   _XID_ERRORS, DCGM_FI_PROF_GR_ENGINE_ACTIVE (ratio; the utilization when GPU_UTIL is
 *   absent or blank, as in MIG mode) and the power limits _ENFORCED_POWER_LIMIT, else
 *   _POWER_MGMT_LIMIT (W). Other families are syntax-checked and ignored; a GPU
 *   seen only in ignored families gives no sample.
 * - MIG: series of one UUID told apart by `GPU_I_ID` fold into one sample — power, GPU_UTIL
 *   and XID are per GPU (max over series); memory is summed and GR_ENGINE_ACTIVE averaged over
 *   the instances. A series without `GPU_I_ID` (dcgm-exporter also prints the whole GPU) is
 *   used for such a field only when no instance reports it, so nothing is counted twice.
 * - DCGM blanks (≥ 2147483632, which covers the INT64 and FP64 blanks) and NaN become `null`.
 * - A repeated series with other labels (a shared GPU's per-pod copies) keeps the first reading.
 * - Pod attribution (`namespace`, `pod`, `container`, `hpc_job`; "" = none): the first pod named
 *   on any of a GPU's series becomes its sample's `pod`; a value that breaks Kubernetes' naming
 *   rules (pod-labels.ts) is an 'invalid' error naming the label.
 * - Throws DomainError('invalid', 'line N: …', { line }) on a syntax error, bad number, bad
 *   escape, duplicate series, out-of-range reading, missing UUID on a DCGM_FI_ line (other than
 *   NVSwitch/CPU entities), missing host, or a GPU whose host/index changes between lines;
 *   'too_large' past maxLines/maxSeries/maxLabelLength. Either the whole batch is returned or nothing.
 */
export function parseDcgmText(text: string, opts: DcgmParseOptions = {}): IngestBatch {
  const scanner = new DcgmScanner(text, opts);
  scanner.scan();
  return { samples: scanner.samples(), nodes: [], meters: [] };
}

class DcgmScanner {
  private readonly text: string;
  private readonly defaultHost: string | undefined;
  private readonly maxLines: number;
  private readonly maxSeries: number;
  private readonly maxLabelLength: number;
  private readonly labels: LabelScanner;
  private readonly failFn: FailFn = (problem) => this.fail(problem);
  private readonly tooLongFn: TooLongFn = (what) => this.tooLong(what);

  private readonly gpus = new Map<string, GpuAcc>();
  private readonly order: GpuAcc[] = [];
  /** Label blocks seen so far; `lastBlock` is the one used last (its successor is tried first). */
  private readonly blocks: LabelBlock[] = [];
  private lastBlock = 0;
  private readonly noLabels = new LabelBlock();
  private seriesCount = 0;
  /** The metric name of the last series line, its family index and whether it is DCGM_FI_*. */
  private lastName = '';
  private lastFamily = -1;
  private lastIsDcgm = false;

  private lineNo = 0;
  private lineStart = 0;
  private lineEnd = 0;

  constructor(text: string, opts: DcgmParseOptions) {
    this.text = text;
    this.defaultHost = opts.defaultHost;
    this.maxLines = opts.maxLines ?? Number.POSITIVE_INFINITY;
    this.maxSeries = opts.maxSeries ?? Number.POSITIVE_INFINITY;
    this.maxLabelLength = opts.maxLabelLength ?? Number.POSITIVE_INFINITY;
    this.labels = new LabelScanner(text, this.maxLabelLength);
  }

  scan(): void {
    const text = this.text;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      this.lineNo++;
      if (this.lineNo > this.maxLines) {
        throw new DomainError('too_large', `line ${this.lineNo}: more than ${this.maxLines} lines (MAX_LINES_PER_BATCH)`, {
          line: this.lineNo,
          maxLines: this.maxLines,
        });
      }
      let nl = text.indexOf('\n', pos);
      if (nl === -1) nl = len;
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === CH_CR) end--;
      this.lineStart = pos;
      this.lineEnd = end;
      this.parseLine(pos, end);
      pos = nl + 1;
    }
  }

  samples(): GpuSample[] {
    return this.order.map(foldGpu);
  }

  private parseLine(start: number, end: number): void {
    const text = this.text;
    let p = skipWs(text, start, end);
    if (p === end) return;
    const first = text.charCodeAt(p);
    if (first === CH_HASH) return; // HELP, TYPE and any other comment
    if (!isNameStart(first)) this.fail('expected a metric name');

    const nameStart = p;
    let family: number;
    let isDcgm: boolean;
    const last = this.lastName;
    const afterLast = nameStart + last.length;
    const nextChar = text.charCodeAt(afterLast);
    if ((nextChar === CH_LBRACE || nextChar === CH_SPACE) && text.substring(nameStart, afterLast) === last) {
      // Families come as runs of one name: the same name as the last line is already validated.
      p = afterLast;
      family = this.lastFamily;
      isDcgm = this.lastIsDcgm;
    } else {
      p++;
      while (p < end && isNameChar(text.charCodeAt(p))) p++;
      family = this.familyOf(nameStart, p);
      isDcgm = p - nameStart > 8 && text.startsWith('DCGM_FI_', nameStart);
      this.lastName = text.substring(nameStart, p);
      this.lastFamily = family;
      this.lastIsDcgm = isDcgm;
    }
    const nameEnd = p;

    p = skipWs(text, p, end);
    let block = this.noLabels;
    if (p < end && text.charCodeAt(p) === CH_LBRACE) {
      block = this.cachedBlock(p) ?? this.newBlock(p, end);
      p += block.text.length;
    } else if (p === nameEnd && p < end) {
      this.fail('unexpected character after the metric name');
    }

    const valueStart = skipWs(text, p, end);
    if (valueStart === end) this.fail('missing value');
    let valueEnd = valueStart;
    while (valueEnd < end) {
      const c = text.charCodeAt(valueEnd);
      if (c === CH_SPACE || c === CH_TAB) break;
      valueEnd++;
    }
    const value = parseFloatToken(text, valueStart, valueEnd);
    if (value === undefined) this.fail(`bad number "${text.slice(valueStart, valueEnd)}"`);
    if (valueEnd < end) this.checkTimestamp(valueEnd, end);

    this.seriesCount++;
    if (this.seriesCount > this.maxSeries) {
      throw new DomainError('too_large', `line ${this.lineNo}: more than ${this.maxSeries} series (MAX_SERIES_PER_BATCH)`, {
        line: this.lineNo,
        maxSeries: this.maxSeries,
      });
    }

    if (family >= 0) {
      this.record(family, value, block, nameStart, nameEnd);
    } else if (isDcgm && block.uuidStart < 0 && !block.otherEntity) {
      this.fail(`${text.slice(nameStart, nameEnd)} has no UUID label`);
    }
  }

  /** An optional integer timestamp (ms) after the value. A scrape is one instant: it is ignored. */
  private checkTimestamp(from: number, end: number): void {
    const text = this.text;
    let p = skipWs(text, from, end);
    if (p === end) return;
    const tsStart = p;
    if (text.charCodeAt(p) === 45) p++;
    const digitsStart = p;
    while (p < end) {
      const c = text.charCodeAt(p);
      if (c < 48 || c > 57) break;
      p++;
    }
    const tsEnd = p;
    if (tsEnd === digitsStart || (tsEnd < end && text.charCodeAt(tsEnd) !== CH_SPACE && text.charCodeAt(tsEnd) !== CH_TAB)) {
      let shown = tsEnd;
      while (shown < end && text.charCodeAt(shown) !== CH_SPACE) shown++;
      this.fail(`bad timestamp "${text.slice(tsStart, shown)}"`);
    }
    if (skipWs(text, tsEnd, end) !== end) this.fail('unexpected text after the timestamp');
  }

  /** Index into FAMILY_NAMES, or -1 for a family we ignore. */
  private familyOf(start: number, end: number): number {
    const length = end - start;
    if (length < 19 || length > 32 || this.text.charCodeAt(start) !== 68 /* D */) return -1;
    // substring + === is a memcmp; String.prototype.startsWith compares char by char.
    const name = this.text.substring(start, end);
    for (let f = 0; f < FAMILY_COUNT; f++) {
      if (name === FAMILY_NAMES[f]) return f;
    }
    return -1;
  }

  /** A label block identical to one already scanned, or null. */
  private cachedBlock(open: number): LabelBlock | null {
    const blocks = this.blocks;
    const n = blocks.length;
    if (n === 0) return null;
    // Family-major dumps (all GPUs for one family, then the next) hit the successor;
    // GPU-major ones hit the same block again.
    const next = this.lastBlock + 1 < n ? this.lastBlock + 1 : 0;
    const candidate = blocks[next] as LabelBlock;
    if (this.blockAt(candidate, open)) {
      this.lastBlock = next;
      return candidate;
    }
    const same = blocks[this.lastBlock] as LabelBlock;
    if (this.blockAt(same, open)) return same;
    for (let i = n - 1, stop = Math.max(0, n - BLOCK_SEARCH_DEPTH); i >= stop; i--) {
      const b = blocks[i] as LabelBlock;
      if (this.blockAt(b, open)) {
        this.lastBlock = i;
        return b;
      }
    }
    return null;
  }

  /** Whether the text at `open` is exactly this block (the block holds no newline, so it stays on the line). */
  private blockAt(block: LabelBlock, open: number): boolean {
    const length = block.text.length;
    // Cheap rejections first: the closing brace and a character in the middle (GPU index, UUID).
    if (this.text.charCodeAt(open + length - 1) !== 125) return false;
    return this.text.substring(open, open + length) === block.text;
  }

  private newBlock(open: number, end: number): LabelBlock {
    const block = this.labels.scan(open, end, this.failFn, this.tooLongFn);
    this.blocks.push(block);
    this.lastBlock = this.blocks.length - 1;
    return block;
  }

  /** Applies one reading of a used family to its GPU (instance) accumulator. */
  private record(family: number, raw: number, block: LabelBlock, nameStart: number, nameEnd: number): void {
    if (block.uuidStart < 0) this.fail(`${FAMILY_NAMES[family] ?? ''} has no UUID label`);
    const value = this.checkRange(family, blankToNaN(raw));
    const acc = block.acc ?? this.resolve(block);
    if ((acc.lines[family] as number) !== 0) {
      this.onRepeatedSeries(acc, family, block, this.text.slice(nameStart, nameEnd));
      return;
    }
    acc.values[family] = value;
    acc.lines[family] = this.lineNo;
    acc.blocks[family] = block;
  }

  /** Physical range check; returns the value (NaN = blank, passes). */
  private checkRange(family: number, v: number): number {
    const range = Number.isNaN(v) ? null : rangeViolated(family, v);
    if (range !== null) this.fail(`${FAMILY_NAMES[family] ?? ''} value ${v} is out of range (must be ${range})`);
    return v;
  }

  /** First used-family line of a label block: find or create its GPU and MIG instance. */
  private resolve(block: LabelBlock): InstanceAcc {
    const uuid = this.value(block, block.uuidStart, block.uuidEnd);
    if (uuid.length === 0) this.fail('empty UUID label');
    const host = this.hostOf(block);
    const index = this.indexOf(block);
    let gpu = this.gpus.get(uuid);
    if (gpu === undefined) {
      const modelName = block.modelStart >= 0 ? this.value(block, block.modelStart, block.modelEnd) : null;
      gpu = new GpuAcc(uuid, host, index, modelName, this.lineNo);
      this.gpus.set(uuid, gpu);
      this.order.push(gpu);
    } else {
      if (gpu.host !== host) this.fail(`GPU ${uuid} has host "${host}" here but "${gpu.host}" at line ${gpu.firstLine}`);
      if (gpu.index !== index) this.fail(`GPU ${uuid} has gpu="${index}" here but gpu="${gpu.index}" at line ${gpu.firstLine}`);
      if (gpu.modelName === null && block.modelStart >= 0) gpu.modelName = this.value(block, block.modelStart, block.modelEnd);
    }
    // Every block's labels are checked (a bad one refuses the batch), the first pod is kept.
    if (block.podStart >= 0 || block.nsStart >= 0 || block.containerStart >= 0 || block.jobStart >= 0) {
      const pod = this.podOf(block);
      if (gpu.pod === null) gpu.pod = pod;
    }
    const acc = block.instStart < 0 ? gpu.whole : gpu.instance(this.value(block, block.instStart, block.instEnd));
    block.acc = acc;
    return acc;
  }

  private value(block: LabelBlock, start: number, end: number): string {
    const raw = block.text.slice(start, end);
    return block.hasEscape ? unescapeLabelValue(raw) : raw;
  }

  /** The block's pod attribution (null: no pod named); a malformed label fails the batch. */
  private podOf(block: LabelBlock): PodLabels | null {
    const read = (start: number, end: number): string | undefined => (start < 0 ? undefined : this.value(block, start, end));
    const result = readPodLabels({
      namespace: read(block.nsStart, block.nsEnd),
      pod: read(block.podStart, block.podEnd),
      container: read(block.containerStart, block.containerEnd),
      hpcJob: read(block.jobStart, block.jobEnd),
    });
    if ('problem' in result) this.fail(result.problem);
    return result.labels;
  }

  private hostOf(block: LabelBlock): string {
    let host: string | undefined;
    if (block.hostStart >= 0) host = this.value(block, block.hostStart, block.hostEnd);
    else if (block.host2Start >= 0) host = this.value(block, block.host2Start, block.host2End);
    else host = this.defaultHost;
    if (host === undefined || host.length === 0) this.fail('no Hostname/hostname label and no default host');
    return host;
  }

  /** The `gpu` label as an integer, -1 when absent. */
  private indexOf(block: LabelBlock): number {
    if (block.gpuStart < 0) return -1;
    const raw = this.value(block, block.gpuStart, block.gpuEnd);
    if (!/^\d{1,6}$/.test(raw)) this.fail(`bad gpu label "${raw}" (must be an integer)`);
    return Number(raw);
  }

  /**
   * A second series of a family for the same GPU instance. With an identical label set it is a
   * duplicate (error); with other labels it is the same device reading attributed to another
   * pod (GPU sharing), so the first reading stands.
   */
  private onRepeatedSeries(acc: InstanceAcc, family: number, block: LabelBlock, name: string): void {
    const here = canonicalLabelSet(block.text);
    const first = { family, line: acc.lines[family] as number, block: acc.blocks[family] ?? this.noLabels };
    const extra = acc.extraSeries ?? [];
    for (const prior of [first, ...extra]) {
      if (prior.family === family && canonicalLabelSet(prior.block.text) === here) {
        throw new DomainError('invalid', `line ${this.lineNo}: duplicate series ${name}${here} (first at line ${prior.line})`, {
          line: this.lineNo,
          firstLine: prior.line,
        });
      }
    }
    extra.push({ family, line: this.lineNo, block });
    acc.extraSeries = extra;
  }

  private tooLong(what: string): never {
    throw labelTooLong(`line ${this.lineNo}`, what, this.maxLabelLength, { line: this.lineNo });
  }

  private fail(problem: string): never {
    let snippet = this.text.slice(this.lineStart, Math.min(this.lineEnd, this.lineStart + ERROR_SNIPPET_CHARS));
    if (this.lineEnd - this.lineStart > ERROR_SNIPPET_CHARS) snippet += '…';
    throw new DomainError('invalid', `line ${this.lineNo}: ${problem}: ${snippet}`, { line: this.lineNo });
  }
}
