import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GpuSample, IngestBatch } from '../../../server/src/domain/fleet/readings.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createIngestJournal, type IngestJournal, type JournalAppend } from '../../../server/src/pipeline/store/ingest-journal.js';
import { makeTempDir, type TempDir } from './temp-db.js';

const NOW_MS = 1_780_012_800_000;

function sample(uuid: string, fields: Partial<GpuSample> = {}): GpuSample {
  return {
    uuid,
    host: 'node-0',
    index: 0,
    modelName: 'NVIDIA H100 80GB HBM3',
    utilPercent: 97,
    powerWatts: 652.3,
    memUsedMiB: 71_000,
    memTotalMiB: 81_559,
    xid: 0,
    offsetMs: 0,
    ...fields,
  };
}

function batch(...samples: GpuSample[]): IngestBatch {
  return { samples, nodes: [], meters: [] };
}

function entry(b: IngestBatch, fields: Partial<JournalAppend> = {}): JournalAppend {
  return { receivedAtMs: NOW_MS, source: 'push:rack-7', idempotencyKey: null, batch: b, ...fields };
}

describe('ingest journal', () => {
  let tmp: TempDir;
  let file: string;
  let db: Database;
  let journal: IngestJournal;
  beforeEach(() => {
    tmp = makeTempDir();
    file = tmp.path('headroom.db');
    db = openDatabase(file);
    journal = createIngestJournal(db);
  });
  afterEach(() => {
    closeDatabase(db);
    tmp.remove();
  });

  it('keeps a GPU’s pod labels, and none where it had none', () => {
    const pod = { namespace: 'inference', pod: 'vllm-decode-7d9f8-x2k4q', container: 'main', hpcJob: null };
    const seq = journal.append(entry(batch(sample('GPU-a', { pod }), sample('GPU-b'))));
    const [replayed] = journal.since(seq - 1);
    expect(replayed?.batch.samples[0]?.pod).toEqual(pod);
    expect(replayed?.batch.samples[1]).not.toHaveProperty('pod');
  });

  it('hands out increasing seqs and replays entries after a seq in order', () => {
    const first = journal.append(entry(batch(sample('GPU-a')), { receivedAtMs: NOW_MS }));
    const second = journal.append(entry(batch(sample('GPU-b')), { receivedAtMs: NOW_MS + 1 }));
    const third = journal.append(entry(batch(sample('GPU-c')), { receivedAtMs: NOW_MS + 2, source: 'push:rack-8' }));
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    const replay = journal.since(first);
    expect(replay.map((e) => e.seq)).toEqual([second, third]);
    expect(replay.map((e) => e.batch.samples[0]?.uuid)).toEqual(['GPU-b', 'GPU-c']);
    expect(replay[1]).toMatchObject({ receivedAtMs: NOW_MS + 2, source: 'push:rack-8' });
    expect(journal.since(0, 1).map((e) => e.seq)).toEqual([first]);
  });

  it('round-trips every field of a batch, nulls included', () => {
    const full: IngestBatch = {
      samples: [
        sample('GPU-a', { index: 3, offsetMs: -250 }),
        sample('GPU-b', {
          modelName: null,
          utilPercent: null,
          powerWatts: null,
          memUsedMiB: null,
          memTotalMiB: null,
          xid: null,
          index: -1,
        }),
      ],
      nodes: [
        { host: 'node-0', drained: true, reason: 'xid 79' },
        { host: 'node-1', drained: false, reason: null },
      ],
      meters: [{ id: 'pdu-a', scope: 'hall:h1', watts: 1_234_567.5 }],
    };
    journal.append(entry(full));
    expect(journal.since(0)[0]?.batch).toEqual(full);
  });

  it('stores a batch once per idempotency key and returns the first seq to a retry', () => {
    const seq = journal.append(entry(batch(sample('GPU-a')), { idempotencyKey: 'rack-7:0001', digest: 'd1' }));
    const retry = journal.appendOnce(entry(batch(sample('GPU-a')), { idempotencyKey: 'rack-7:0001' }));
    expect(retry).toEqual({ seq, duplicate: true });
    expect(journal.append(entry(batch(sample('GPU-a')), { idempotencyKey: 'rack-7:0001' }))).toBe(seq);
    expect(journal.findByIdempotencyKey('rack-7:0001')).toEqual({ seq, digest: 'd1', samples: 1, gpus: 1 });
    expect(journal.findByIdempotencyKey('rack-7:0002')).toBeNull();
    expect(journal.since(0)).toHaveLength(1);
    expect(journal.appendOnce(entry(batch(), { idempotencyKey: 'rack-7:0002' })).duplicate).toBe(false);
  });

  it('truncates through a seq and never hands that seq out again', () => {
    const seqs = [1, 2, 3].map(() => journal.append(entry(batch(sample('GPU-a')))));
    expect(journal.truncateThrough(seqs[1] ?? 0)).toBe(2);
    expect(journal.since(0).map((e) => e.seq)).toEqual([seqs[2]]);
    expect(journal.truncateThrough(seqs[2] ?? 0)).toBe(1);
    expect(journal.since(0)).toEqual([]);
    expect(journal.lastSeq()).toBe(seqs[2]);
    expect(journal.append(entry(batch()))).toBe((seqs[2] ?? 0) + 1);
  });

  it('still recognises an idempotency key after its entry was truncated, until the key is pruned', () => {
    const seq = journal.append(entry(batch(), { idempotencyKey: 'k1', receivedAtMs: NOW_MS }));
    journal.append(entry(batch(), { idempotencyKey: 'k2', receivedAtMs: NOW_MS + 60_000 }));
    journal.truncateThrough(seq + 1);
    expect(journal.appendOnce(entry(batch(), { idempotencyKey: 'k1' }))).toEqual({ seq, duplicate: true });
    expect(journal.pruneIdempotencyKeys(NOW_MS + 1)).toBe(1);
    expect(journal.findByIdempotencyKey('k1')).toBeNull();
    expect(journal.findByIdempotencyKey('k2')).toEqual({ seq: seq + 1, digest: null, samples: 0, gpus: 0 });
  });

  it('names the entry when a stored batch cannot be read', () => {
    const seq = journal.append(entry(batch()));
    db.prepare('UPDATE ingest_journal SET batch = ? WHERE seq = ?').run('{"v":1,"s":[["GPU-a"]],"n":[],"m":[]}', seq);
    expect(() => journal.since(0)).toThrow(`ingest journal entry ${seq} is unreadable`);
  });

  it('keeps entries, seqs and keys across close and reopen of the file', () => {
    const seq = journal.append(entry(batch(sample('GPU-z')), { idempotencyKey: 'k' }));
    closeDatabase(db);
    db = openDatabase(file);
    journal = createIngestJournal(db);
    expect(journal.since(0).map((e) => [e.seq, e.batch.samples[0]?.uuid])).toEqual([[seq, 'GPU-z']]);
    expect(journal.findByIdempotencyKey('k')?.seq).toBe(seq);
    expect(journal.lastSeq()).toBe(seq);
  });
});
