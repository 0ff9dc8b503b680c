/** One change: who made it, when, to what, and how it ended (table `audit_log`, migration 4). */
export interface AuditEntry {
  id: number;
  atMs: number;
  /** `token:<id> (<name>)`, or `cli` for changes made on the command line. */
  actor: string;
  /** `POST /api/v1/contracts` */
  action: string;
  /** What was changed: the resource path (`/api/v1/contracts/7`). */
  target: string;
  status: number;
  /** The request body as sent, secrets masked; null when there was none. */
  detail: unknown;
}
