import { describeFuzzGroup } from './fuzz-server.js';

/** Property-based fuzzing of the contracts (create, replace) endpoints over real HTTP (see fuzz-server.ts). */
describeFuzzGroup('contracts');
