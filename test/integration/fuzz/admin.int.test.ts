import { describeFuzzGroup } from './fuzz-server.js';

/** Property-based fuzzing of the token and audit-log endpoints over real HTTP (see fuzz-server.ts). */
describeFuzzGroup('admin');
