/** What a scheduler answer held that could not be read; the poll skips that item and counts it. */
export type SchedulerInputCode = 'hostlist' | 'gres' | 'tres';

/** A malformed hostlist, GRES or TRES string: thrown by the parsers, caught per item by the reader. */
export class SchedulerInputError extends Error {
  constructor(
    readonly code: SchedulerInputCode,
    message: string,
  ) {
    super(message);
    this.name = 'SchedulerInputError';
  }
}
