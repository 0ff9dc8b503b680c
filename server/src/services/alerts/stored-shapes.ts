import { z } from 'zod';
import { ALERT_STATUSES, type AlertState } from '../../domain/alerts/alert-state.js';
import type { NotifyGroup } from '../../domain/alerts/plan.js';

/**
 * Schemas of what the alerts service saves as JSON (alert_states, notify_groups), checked on
 * load like every other stored body. Typed against the domain interfaces, so they cannot drift.
 */
const labels = z.record(z.string(), z.string());
const ms = z.number().finite();

export const storedAlertStateSchema: z.ZodType<AlertState> = z.object({
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  labels,
  annotations: labels,
  status: z.enum(ALERT_STATUSES),
  activeSinceMs: ms,
  firedAtMs: ms.nullable(),
  resolvedAtMs: ms.nullable(),
  value: z.number().nullable(),
  updatedAtMs: ms,
});

const logEntry = z.object({ atMs: ms, firing: z.array(z.string()), resolved: z.array(z.string()) });

export const storedNotifyGroupSchema: z.ZodType<NotifyGroup> = z.object({
  receiverId: z.string(),
  groupKey: z.string(),
  groupLabels: labels,
  epochMs: ms,
  activeSinceMs: ms.nullable(),
  hasFlushed: z.boolean(),
  nextFlushAtMs: ms.nullable(),
  lastFlushAtMs: ms.nullable(),
  notified: logEntry.nullable(),
  seq: z.number().int().min(0),
});
