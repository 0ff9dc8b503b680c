/** Where and how one webhook receiver is reached; the delivery worker's view of a receiver. */
export interface WebhookTarget {
  id: string;
  name: string;
  url: string;
  /** `whsec_…` secrets, newest first; every delivery is signed with each (rotation). */
  secrets: string[];
}

/** What happened to one delivery attempt, for metrics and logs. */
export type DeliveryEvent =
  | { kind: 'sent'; receiverId: string; id: string; attempts: number; ms: number }
  | { kind: 'retry'; receiverId: string; id: string; attempts: number; error: string; nextAttemptMs: number }
  | { kind: 'dead'; receiverId: string; id: string; attempts: number; error: string };
