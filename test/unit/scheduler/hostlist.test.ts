import { describe, expect, it } from 'vitest';
import { expandHostlist } from '../../../server/src/domain/scheduler/hostlist.js';
import { SchedulerInputError } from '../../../server/src/domain/scheduler/scheduler-input-error.js';

describe('expandHostlist', () => {
  it.each([
    ['', []],
    ['n1', ['n1']],
    ['n[1-3,7]', ['n1', 'n2', 'n3', 'n7']],
    ['n[2-3]', ['n2', 'n3']],
    ['gpu[08-11]', ['gpu08', 'gpu09', 'gpu10', 'gpu11']],
    ['a,b[1-2],c', ['a', 'b1', 'b2', 'c']],
    ['rack[1-2]-n[1-2]', ['rack1-n1', 'rack1-n2', 'rack2-n1', 'rack2-n2']],
    ['h01-p[001-002]-n01', ['h01-p001-n01', 'h01-p002-n01']],
    ['n[5]', ['n5']],
    [' n1 , n2 ', ['n1', 'n2']],
  ])('expands %j', (list, hosts) => {
    expect(expandHostlist(list)).toEqual(hosts);
  });

  it.each(['n[1-3', 'n1-3]', 'n[[1]]', 'n[]', 'n[a-b]', 'n[3-1]', 'n[1-]', 'n[-1]', 'n[1-2-3]', 'n[0-99999999]', 'a[0-999]b[0-9999]'])(
    'refuses %j with a named error',
    (list) => {
      expect(() => expandHostlist(list)).toThrow(SchedulerInputError);
    },
  );
});
