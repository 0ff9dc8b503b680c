import { isAscii } from 'node:buffer';

const MAX_HEAD_BYTES = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

/** A failed GET: `status` when the server answered with one other than 200. */
export class ScrapeFailure extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** A kept connection the server had closed: the request is sent again on a new one. */
export const STALE = new Error('stale connection');

/** Incremental HTTP/1.1 response parser for one GET: head, then a Content-Length, chunked or read-to-close body. */
export class ResponseReader {
  received = 0;
  /** False when the connection cannot carry another request (Connection: close, HTTP/1.0, body to close, bytes past the end). */
  reusable = true;
  private head: Buffer | null = null;
  private headDone = false;
  private mode: 'length' | 'chunked' | 'close' = 'length';
  private remaining = 0;
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private contentLength = -1;
  // chunked state
  private chunkLeft = 0;
  private chunkState: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line: Buffer | null = null;

  constructor(private readonly maxBodyBytes: number) {}

  /** Feeds bytes; true once the response is complete. Throws a ScrapeFailure on a bad or refused response. */
  push(chunk: Buffer): boolean {
    this.received += chunk.length;
    let data = chunk;
    if (!this.headDone) {
      const buf: Buffer = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) throw new ScrapeFailure(`response head over ${MAX_HEAD_BYTES} bytes`);
        this.head = buf;
        return false;
      }
      this.parseHead(buf.toString('latin1', 0, end));
      this.headDone = true;
      this.head = null;
      data = buf.subarray(end + 4);
    }
    if (this.mode === 'length') return this.pushLength(data);
    if (this.mode === 'chunked') return this.pushChunked(data);
    this.addBody(data);
    return false;
  }

  /** The body as UTF-8 (exporter text is ASCII in practice: then one-byte latin1 decoding, the cheapest, gives the same string). */
  text(): string {
    const body = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body, this.bodyBytes);
    return isAscii(body) ? body.toString('latin1') : body.toString('utf8');
  }

  /** At the server's close: complete only for a read-to-close body. */
  endAtClose(): boolean {
    return this.headDone && this.mode === 'close';
  }

  describeProgress(): string {
    if (!this.headDone) return this.received === 0 ? 'before any response' : 'within the response head';
    if (this.mode === 'length') return `after ${this.bodyBytes} of ${this.contentLength} body bytes`;
    return `after ${this.bodyBytes} body bytes of a chunked body`;
  }

  private parseHead(head: string): void {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (!status) throw new ScrapeFailure(`not an HTTP/1.x response: ${JSON.stringify(lines[0]!.slice(0, 60))}`);
    const code = Number(status[2]);
    if (code !== 200) throw new ScrapeFailure(`answered HTTP ${code}`, code);
    let keepAlive = status[1] === '1';
    let chunked = false;
    let length = -1;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length >= 0 && Number(value) !== length))
          throw new ScrapeFailure(`bad Content-Length ${JSON.stringify(value)}`);
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        if (value.toLowerCase() !== 'chunked') throw new ScrapeFailure(`unsupported Transfer-Encoding ${value}`);
        chunked = true;
      } else if (name === 'content-encoding' && value.toLowerCase() !== 'identity') {
        throw new ScrapeFailure(`unsupported Content-Encoding ${value}`);
      } else if (name === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
    }
    this.reusable = keepAlive;
    if (chunked) {
      this.mode = 'chunked';
    } else if (length >= 0) {
      if (length > this.maxBodyBytes) throw new ScrapeFailure(`body of ${length} bytes exceeds ${this.maxBodyBytes}`);
      this.mode = 'length';
      this.contentLength = length;
      this.remaining = length;
    } else {
      this.mode = 'close';
      this.reusable = false;
    }
  }

  private addBody(data: Buffer): void {
    if (data.length === 0) return;
    this.bodyBytes += data.length;
    if (this.bodyBytes > this.maxBodyBytes) throw new ScrapeFailure(`body exceeds ${this.maxBodyBytes} bytes`);
    this.body.push(data);
  }

  private pushLength(data: Buffer): boolean {
    if (data.length > this.remaining) {
      this.reusable = false; // bytes past the response: the connection is out of step
      data = data.subarray(0, this.remaining);
    }
    this.addBody(data);
    this.remaining -= data.length;
    return this.remaining === 0;
  }

  private pushChunked(data: Buffer): boolean {
    let at = 0;
    while (at < data.length) {
      if (this.chunkState === 'data') {
        const n = Math.min(this.chunkLeft, data.length - at);
        this.addBody(data.subarray(at, at + n));
        at += n;
        this.chunkLeft -= n;
        if (this.chunkLeft === 0) this.chunkState = 'data-crlf';
        continue;
      }
      // size, data-crlf and trailer states read whole lines
      const nl = data.indexOf(10, at);
      const piece = data.subarray(at, nl < 0 ? data.length : nl + 1);
      this.line = this.line ? Buffer.concat([this.line, piece]) : piece;
      at += piece.length;
      if (this.line.length > 4096) throw new ScrapeFailure('bad chunked encoding: line too long');
      if (nl < 0) break;
      const line = this.line.toString('latin1').replace(/\r?\n$/, '');
      this.line = null;
      if (this.chunkState === 'data-crlf') {
        if (line !== '') throw new ScrapeFailure('bad chunked encoding: no CRLF after chunk data');
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = /^([0-9a-fA-F]{1,8})\s*(;.*)?$/.exec(line);
        if (!size) throw new ScrapeFailure(`bad chunked encoding: chunk size ${JSON.stringify(line.slice(0, 20))}`);
        this.chunkLeft = parseInt(size[1]!, 16);
        if (this.bodyBytes + this.chunkLeft > this.maxBodyBytes) throw new ScrapeFailure(`body exceeds ${this.maxBodyBytes} bytes`);
        this.chunkState = this.chunkLeft === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        if (at < data.length) this.reusable = false;
        return true; // end of trailers: the response is complete
      }
    }
    return false;
  }
}
