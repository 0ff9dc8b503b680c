/** Where a notification is in the durable outbox. */
export type OutboxState = 'pending' | 'delivered' | 'dead';

/** A notification to one receiver; `id` is its `webhook-id` on every attempt. */
export interface OutboxEntry {
  id: string;
  receiverId: string;
  groupKey: string;
  /** Order of the notifications of one group: sent strictly in this order. */
  seq: number;
  /** The exact request body (the signature covers these bytes). */
  body: string;
  state: OutboxState;
  createdAtMs: number;
  nextAttemptMs: number;
  attempts: number;
  lastError: string | null;
  doneAtMs: number | null;
}

export type NewOutboxEntry = Pick<OutboxEntry, 'id' | 'receiverId' | 'groupKey' | 'seq' | 'body' | 'createdAtMs'>;
