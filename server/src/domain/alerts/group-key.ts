import { labelSetString, pickLabels, sortedLabels, type Labels } from './labels.js';
import { matchersString } from './matchers.js';
import { GROUP_BY_ALL, type Receiver } from './receiver.js';

/**
 * Group keys as Alertmanager forms them (`aggrGroup.GroupKey()`: `<route key>:<group labels>`).
 * Each receiver is treated as a child route of an empty root route, so its route key is
 * `{}/{<its matchers, sorted>}` and a group key reads e.g.
 * `{}/{severity="critical"}:{alertname="OversoldRisk", site="s1"}`.
 */

/** `Route.Key()` of the receiver's route under the root. */
export function routeKey(receiver: Pick<Receiver, 'matchers'>): string {
  return `{}/${matchersString(receiver.matchers)}`;
}

/** The alert's labels named by the receiver's `groupBy` (all of them for `['...']`). */
export function groupLabelsOf(receiver: Pick<Receiver, 'groupBy'>, labels: Labels): Labels {
  return receiver.groupBy.includes(GROUP_BY_ALL) ? sortedLabels(labels) : pickLabels(labels, receiver.groupBy);
}

/** The `groupKey` of a notification: route key, `:`, the group labels as `LabelSet.String()`. */
export function groupKeyOf(receiver: Pick<Receiver, 'matchers'>, groupLabels: Labels): string {
  return `${routeKey(receiver)}:${labelSetString(groupLabels)}`;
}
