import { describeFuzzGroup } from './fuzz-server.js';

/** Property-based fuzzing of the push ingest (JSON, dcgm text, nvidia-smi CSV) endpoints over real HTTP (see fuzz-server.ts). */
describeFuzzGroup('ingest');
