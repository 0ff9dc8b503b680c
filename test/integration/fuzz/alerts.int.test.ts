import { describeFuzzGroup } from './fuzz-server.js';

/** Property-based fuzzing of the alert rules and webhooks (create, replace) endpoints over real HTTP (see fuzz-server.ts). */
describeFuzzGroup('alerts');
