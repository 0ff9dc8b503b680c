/**
 * The `{…}` label block of a Prometheus series line, scanned once and remembered.
 *
 * dcgm-exporter repeats each GPU's label block verbatim on every family line, so the scanner
 * parses a block the first time and afterwards only checks that the text at the brace starts
 * with the same characters (one memcmp) to reuse the result — including the GPU accumulator it
 * resolved to.
 */
import type { InstanceAcc } from './dcgm-fold.js';
import { unescapeLabelValue } from './dcgm-lexer.js';
import { longerThan, shortName } from './label-length.js';

const CH_TAB = 9;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_COMMA = 44;
const CH_EQUALS = 61;
const CH_BACKSLASH = 92;
const CH_RBRACE = 125;
const CH_N = 110;

/** Reports a syntax problem on the current line; never returns. */
export type FailFn = (problem: string) => never;
/** Reports a label name or value past the label-length limit (`what` names it); never returns. */
export type TooLongFn = (what: string) => never;

/** Offsets (relative to the block's `{`) of the label values we use; -1 = absent. */
export class LabelBlock {
  uuidStart = -1;
  uuidEnd = -1;
  gpuStart = -1;
  gpuEnd = -1;
  modelStart = -1;
  modelEnd = -1;
  hostStart = -1;
  hostEnd = -1;
  host2Start = -1;
  host2End = -1;
  instStart = -1;
  instEnd = -1;
  /** Pod attribution (dcgm-exporter `--kubernetes`, `--hpc-job-mapping-dir`). */
  nsStart = -1;
  nsEnd = -1;
  podStart = -1;
  podEnd = -1;
  containerStart = -1;
  containerEnd = -1;
  jobStart = -1;
  jobEnd = -1;
  /** Some label value holds a backslash escape: values must be unescaped before use. */
  hasEscape = false;
  /** Labelled as a non-GPU DCGM entity (`nvswitch`, `cpu`): needs no UUID. */
  otherEntity = false;
  /** The accumulator this block's readings go to, resolved on its first used-family line. */
  acc: InstanceAcc | null = null;
  /** The block's text, `{` to `}` inclusive ('' for a series without labels). */
  text = '';
}

function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

export class LabelScanner {
  /** First backslash at or after the last lookup (text.length when none): O(n) over a text. */
  private nextBackslash = -1;

  /** `maxLabelLength`: most characters in a label name or (unescaped) value; no limit when omitted. */
  constructor(
    private readonly text: string,
    private readonly maxLabelLength = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Scans the label block whose `{` is at `open`, within the line ending at `end`.
   * Returns the block with offsets relative to `open` and its text.
   */
  scan(open: number, end: number, fail: FailFn, tooLong: TooLongFn): LabelBlock {
    const text = this.text;
    const block = new LabelBlock();
    let p = open + 1;
    for (;;) {
      p = skipWs(text, p, end);
      if (p >= end) fail('unterminated label set');
      let c = text.charCodeAt(p);
      if (c === CH_RBRACE) break;
      if (!isLabelStart(c)) fail(`expected a label name at column ${p - open + 1} of the label set`);
      const nameStart = p;
      p++;
      while (p < end && isLabelChar(text.charCodeAt(p))) p++;
      const nameEnd = p;
      if (nameEnd - nameStart > this.maxLabelLength) tooLong(`label name ${shortName(text.slice(nameStart, nameEnd))}`);
      p = skipWs(text, p, end);
      if (p >= end || text.charCodeAt(p) !== CH_EQUALS) fail(`expected "=" after label ${text.slice(nameStart, nameEnd)}`);
      p = skipWs(text, p + 1, end);
      if (p >= end || text.charCodeAt(p) !== CH_QUOTE) fail(`expected a quoted value for label ${text.slice(nameStart, nameEnd)}`);
      const valueStart = p + 1;
      const valueEnd = this.closingQuote(block, valueStart, end, nameStart, nameEnd, fail);
      // The raw length bounds the unescaped one from above: most values never need the count.
      if (
        valueEnd - valueStart > this.maxLabelLength &&
        longerThan(unescapeLabelValue(text.slice(valueStart, valueEnd)), this.maxLabelLength)
      ) {
        tooLong(`value of label ${text.slice(nameStart, nameEnd)}`);
      }
      keepLabel(text, block, nameStart, nameEnd - nameStart, valueStart - open, valueEnd - open, fail);
      p = skipWs(text, valueEnd + 1, end);
      if (p >= end) fail('unterminated label set');
      c = text.charCodeAt(p);
      if (c === CH_COMMA) {
        p++;
      } else if (c !== CH_RBRACE) {
        fail(`expected "," or "}" after label ${text.slice(nameStart, nameEnd)}`);
      } else {
        break;
      }
    }
    block.text = text.slice(open, p + 1);
    return block;
  }

  /** Position of the quote that closes a label value starting at `p`; validates escapes. */
  private closingQuote(block: LabelBlock, p: number, end: number, nameStart: number, nameEnd: number, fail: FailFn): number {
    const text = this.text;
    const q = text.indexOf('"', p);
    if (this.nextBackslash < p) {
      const b = text.indexOf('\\', p);
      this.nextBackslash = b === -1 ? text.length : b;
    }
    if (q !== -1 && q < end && this.nextBackslash >= q) return q;
    if (this.nextBackslash >= end) return fail(`unterminated label value for ${text.slice(nameStart, nameEnd)}`);
    // Slow path: the value holds a backslash.
    block.hasEscape = true;
    let i = p;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === CH_QUOTE) return i;
      if (c === CH_BACKSLASH) {
        if (i + 1 >= end) break;
        const next = text.charCodeAt(i + 1);
        if (next !== CH_BACKSLASH && next !== CH_QUOTE && next !== CH_N) {
          fail(`invalid escape "\\${String.fromCharCode(next)}" in label ${text.slice(nameStart, nameEnd)}`);
        }
        i += 2;
      } else {
        i++;
      }
    }
    return fail(`unterminated label value for ${text.slice(nameStart, nameEnd)}`);
  }
}

export function skipWs(text: string, p: number, end: number): number {
  while (p < end) {
    const c = text.charCodeAt(p);
    if (c !== CH_SPACE && c !== CH_TAB) break;
    p++;
  }
  return p;
}

function once(previousStart: number, label: string, fail: FailFn): void {
  if (previousStart >= 0) fail(`label ${label} appears twice`);
}

/** Remembers the offsets of the few labels we use; every other label is only syntax-checked. */
function keepLabel(text: string, b: LabelBlock, nameStart: number, nameLength: number, vs: number, ve: number, fail: FailFn): void {
  // Compare the first letter before taking a substring: most labels (pci_bus_id, device, pod_uid, …) are skipped at once.
  const first = text.charCodeAt(nameStart);
  switch (nameLength) {
    case 3: {
      if (first !== 103 && first !== 99 && first !== 112) return; // g, c, p
      const name = text.substring(nameStart, nameStart + 3);
      if (name === 'pod') {
        once(b.podStart, 'pod', fail);
        b.podStart = vs;
        b.podEnd = ve;
      } else if (name === 'gpu') {
        once(b.gpuStart, 'gpu', fail);
        b.gpuStart = vs;
        b.gpuEnd = ve;
      } else if (name === 'cpu') {
        b.otherEntity = true;
      }
      return;
    }
    case 4:
      if (first === 85 && text.substring(nameStart, nameStart + 4) === 'UUID') {
        once(b.uuidStart, 'UUID', fail);
        b.uuidStart = vs;
        b.uuidEnd = ve;
      }
      return;
    case 8: {
      if (first !== 72 && first !== 104 && first !== 71 && first !== 110) return; // H, h, G, n
      const name = text.substring(nameStart, nameStart + 8);
      if (name === 'Hostname') {
        once(b.hostStart, 'Hostname', fail);
        b.hostStart = vs;
        b.hostEnd = ve;
      } else if (name === 'hostname') {
        once(b.host2Start, 'hostname', fail);
        b.host2Start = vs;
        b.host2End = ve;
      } else if (name === 'GPU_I_ID') {
        once(b.instStart, 'GPU_I_ID', fail);
        b.instStart = vs;
        b.instEnd = ve;
      } else if (name === 'nvswitch') {
        b.otherEntity = true;
      }
      return;
    }
    case 7:
      if (first === 104 && text.substring(nameStart, nameStart + 7) === 'hpc_job') {
        once(b.jobStart, 'hpc_job', fail);
        b.jobStart = vs;
        b.jobEnd = ve;
      }
      return;
    case 9: {
      if (first !== 109 && first !== 110 && first !== 99) return; // m, n, c
      const name = text.substring(nameStart, nameStart + 9);
      if (name === 'modelName') {
        once(b.modelStart, 'modelName', fail);
        b.modelStart = vs;
        b.modelEnd = ve;
      } else if (name === 'namespace') {
        once(b.nsStart, 'namespace', fail);
        b.nsStart = vs;
        b.nsEnd = ve;
      } else if (name === 'container') {
        once(b.containerStart, 'container', fail);
        b.containerStart = vs;
        b.containerEnd = ve;
      }
      return;
    }
    default:
      return;
  }
}
