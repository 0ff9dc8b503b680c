import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../server/src/protocol/csv.js';

describe('toCsv (RFC 4180)', () => {
  it('writes a header and rows, CRLF after every record', () => {
    expect(
      toCsv(
        ['id', 'gpus'],
        [
          ['h01-p001', 64],
          ['h01-p002', 128],
        ],
      ),
    ).toBe('id,gpus\r\nh01-p001,64\r\nh01-p002,128\r\n');
  });

  it('quotes a field holding a comma, a quote or a line break, doubling the quotes', () => {
    expect(toCsv(['customer'], [['Acme, "Inc"'], ['two\nlines'], ['cr\rhere'], ['plain']])).toBe(
      'customer\r\n"Acme, ""Inc"""\r\n"two\nlines"\r\n"cr\rhere"\r\nplain\r\n',
    );
  });

  it('writes null as an empty field, booleans as words, and numbers as JavaScript prints them', () => {
    expect(toCsv(['a', 'b', 'c', 'd'], [[null, true, 1234.5, -0.25]])).toBe('a,b,c,d\r\n,true,1234.5,-0.25\r\n');
  });

  it('keeps a text cell a spreadsheet would run as a formula as text', () => {
    expect(toCsv(['customer'], [['=HYPERLINK("http://x")'], ['@SUM(A1)'], ['+1'], ['-1']])).toBe(
      'customer\r\n"\'=HYPERLINK(""http://x"")"\r\n\'@SUM(A1)\r\n\'+1\r\n\'-1\r\n',
    );
  });

  it('quotes a field holding the separator of any locale, and guards a formula start after one (issue 16: CSV injection through ;)', () => {
    expect(toCsv(['customer'], [["Acme;=cmd|' /C calc'!A0;"], ['tab\there'], ['a;b']])).toBe(
      'customer\r\n"Acme;\'=cmd|\' /C calc\'!A0;"\r\n"tab\there"\r\n"a;b"\r\n',
    );
    expect(toCsv(['note'], [['x, -5 %'], ['sum\t+1']])).toBe('note\r\n"x, \'-5 %"\r\n"sum\t\'+1"\r\n');
  });
});
