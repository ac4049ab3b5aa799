import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { readCsvRecords } from '../../../src/cli/read-csv-records';
import { makeTempDir } from '../../helpers/temp-dir';

const dir = makeTempDir('csv-records');
afterAll(() => dir.remove());

function records(content: string | Buffer, chunkBytes?: number) {
  const path = dir.file('data.csv');
  writeFileSync(path, content);
  return [...readCsvRecords(path, { chunkBytes })];
}

describe('readCsvRecords', () => {
  it('reads RFC 4180 quoting, CRLF, a byte-order mark and skips blank lines', () => {
    const text = '\uFEFFa,"b ""x"", y"\r\n1,"2\n3"\r\n\r\n4,5\n';
    for (const chunkBytes of [1, 2, 3, 5, 1 << 20]) {
      expect(records(text, chunkBytes)).toEqual([
        { fields: ['a', 'b "x", y'], line: 1 },
        { fields: ['1', '2\n3'], line: 2 },
        { fields: ['4', '5'], line: 5 },
      ]);
    }
  });

  it('decodes multi-byte UTF-8 split across reads', () => {
    expect(records('név,温度\n1,2', 1)).toEqual([
      { fields: ['név', '温度'], line: 1 },
      { fields: ['1', '2'], line: 2 },
    ]);
  });

  it('round-trips any table of fields, whatever the read size', () => {
    const field = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r\n', ' ', 'é') });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((cols) =>
          fc.array(fc.array(field, { minLength: cols, maxLength: cols }), {
            minLength: 1,
            maxLength: 6,
          }),
        ),
        fc.integer({ min: 1, max: 16 }),
        fc.boolean(),
        (rows, chunkBytes, crlf) => {
          // Quote every field so empty rows are not blank lines.
          const quote = (f: string) => `"${f.replace(/"/g, '""')}"`;
          const text = rows.map((r) => r.map(quote).join(',')).join(crlf ? '\r\n' : '\n');
          expect(records(text, chunkBytes).map((r) => r.fields)).toEqual(rows);
        },
      ),
      { numRuns: 150 },
    );
  });

  it.each([
    ['an unterminated quote', 'a,b\n1,"2\n3,4\n', /data.csv line 2: unterminated quoted field/],
    [
      'text after a closing quote',
      'a,b\n"1"x,2\n',
      /data.csv line 2: unexpected text after a closing quote/,
    ],
    [
      'a quote inside an unquoted field',
      'a,b\n"1",2"\n',
      /data.csv line 2: a quote inside an unquoted field/,
    ],
    ['invalid UTF-8', Buffer.from([0x61, 0x0a, 0xff, 0x0a]), /data.csv: invalid UTF-8 near line 1/],
  ])('rejects %s with the line', (_name, content, message) => {
    expect(() => records(content, 3)).toThrow(message);
  });

  it('reports a file it cannot open', () => {
    expect(() => [...readCsvRecords(dir.file('missing.csv'))]).toThrow(
      /^cannot read .*missing.csv: no such file or directory$/,
    );
  });
});
