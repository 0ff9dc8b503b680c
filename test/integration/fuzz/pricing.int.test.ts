import { describeFuzzGroup } from './fuzz-server.js';

/** Property-based fuzzing of the price book and what-if endpoints over real HTTP (see fuzz-server.ts). */
describeFuzzGroup('pricing');
