import { z } from 'zod';
import { durationSeconds } from '../duration.js';
import { LABEL_NAME } from './labels.js';
import { matcherSchema, type Matcher } from './matchers.js';

/**
 * What a webhook receiver gets and when: its matchers and Alertmanager's grouping timers. The
 * URL and secrets are the delivery adapter's business; it extends {@link receiverPolicySchema}
 * with them for /api/v1/webhooks.
 */

/** `groupBy: ['...']` groups by every label, as in Alertmanager. */
export const GROUP_BY_ALL = '...';

/** Alertmanager's defaults (group_wait 30s, group_interval 5m, repeat_interval 4h, send_resolved true), grouped per alert and site. */
export const receiverPolicySchema = z.strictObject({
  matchers: z.array(matcherSchema).max(32).default([]).describe('All must match: severity="critical", site=~"s1|s2", hall!="h00"'),
  groupBy: z
    .array(z.union([z.string().regex(LABEL_NAME).max(100), z.literal(GROUP_BY_ALL)]))
    .max(32)
    .default(['alertname', 'site'])
    .describe('Labels that split alerts into notification groups; ["..."] for all'),
  groupWaitS: durationSeconds(0).default(30).describe('Wait before the first notification of a new group'),
  groupIntervalS: durationSeconds(1).default(300).describe('Wait before notifying changes to a group'),
  repeatIntervalS: durationSeconds(1).default(14_400).describe('Wait before re-sending an unchanged firing group'),
  sendResolved: z.boolean().default(true),
});

export type ReceiverPolicy = z.output<typeof receiverPolicySchema>;

/** A receiver as notification planning reads it. */
export interface Receiver {
  id: string;
  /** The `receiver` field of the webhook body. */
  name: string;
  matchers: Matcher[];
  groupBy: string[];
  groupWaitS: number;
  groupIntervalS: number;
  repeatIntervalS: number;
  sendResolved: boolean;
}
