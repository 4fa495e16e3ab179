import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventFileError } from '../../src/cli/csv-columns.js';
import {
  formatOfPath,
  type ReadEventsOptions,
  type ReadItem,
  readEvents,
} from '../../src/cli/read-events.js';
import { createIdentifierRegistry } from '../../src/resolver/identifier-types.js';

const identifierTypes = createIdentifierRegistry({
  customTypes: [{ name: 'loyalty_id', normalize: 'uppercase' }],
}).types.map((t) => t.name);

async function readAll(
  text: string,
  options: Partial<ReadEventsOptions> & Pick<ReadEventsOptions, 'format'>,
) {
  const items: ReadItem[] = [];
  for await (const item of readEvents(Readable.from([text]), { identifierTypes, ...options }))
    items.push(item);
  return items;
}

/** Reads raw bytes delivered in chunks of `size` bytes (a line, a CRLF or a character cut anywhere). */
async function readBytes(bytes: Buffer, size: number, options: Pick<ReadEventsOptions, 'format'>) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const items: ReadItem[] = [];
  for await (const item of readEvents(Readable.from(chunks), { identifierTypes, ...options }))
    items.push(item);
  return items;
}

const errors = (items: ReadItem[]) =>
  items.flatMap((i) => ('error' in i ? [{ line: i.line, error: i.error }] : []));
const events = (items: ReadItem[]) =>
  items.flatMap((i) => ('event' in i ? [{ line: i.line, event: i.event }] : []));

const at = '2026-01-01T00:00:00Z';
const ndjson = (event: object) => JSON.stringify(event);

describe('formatOfPath', () => {
  it('tells the format from the file name', () => {
    expect(formatOfPath('a/events.CSV')).toBe('csv');
    expect(formatOfPath('events.ndjson')).toBe('ndjson');
    expect(formatOfPath('events.jsonl')).toBe('ndjson');
    expect(formatOfPath('events.json')).toBe('ndjson');
    expect(formatOfPath('events.txt')).toBeUndefined();
  });
});

describe('readEvents: NDJSON', () => {
  it('yields each valid event with its line number and skips blank lines', async () => {
    const text = [
      ndjson({
        id: 'e1',
        source: 'web',
        occurredAt: at,
        identifiers: [{ type: 'email', value: 'ann@example.org' }],
      }),
      '',
      '   ',
      ndjson({
        id: 'e2',
        source: 'crm',
        occurredAt: at,
        identifiers: [{ type: 'crm_id', value: 'C-1' }],
      }),
    ].join('\n');
    const items = await readAll(text, { format: 'ndjson' });
    expect(items).toEqual([
      {
        line: 1,
        event: {
          id: 'e1',
          source: 'web',
          occurredAt: at,
          identifiers: [{ type: 'email', value: 'ann@example.org' }],
        },
      },
      {
        line: 4,
        event: {
          id: 'e2',
          source: 'crm',
          occurredAt: at,
          identifiers: [{ type: 'crm_id', value: 'C-1' }],
        },
      },
    ]);
  });

  it('reports bad lines by number and reason, keeps going, and never quotes a value', async () => {
    const secret = 'very.private@example.org';
    const text = [
      ndjson({
        id: 'ok1',
        source: 'web',
        occurredAt: at,
        identifiers: [{ type: 'email', value: secret }],
      }),
      `{"id": "e2", "identifiers": [{"type": "email", "value": "${secret}"}`, // truncated JSON
      `["${secret}"]`,
      ndjson({
        id: 'e4',
        source: 'web',
        occurredAt: 'yesterday',
        identifiers: [{ type: 'email', value: secret }],
      }),
      ndjson({ id: 'e5', source: 'web', occurredAt: at, identifiers: [] }),
      ndjson({
        id: 'e6',
        source: 'web',
        occurredAt: at,
        identifiers: [{ type: 'email', value: 42 }],
        extra: secret,
      }),
      ndjson({
        id: 'ok7',
        source: 'web',
        occurredAt: at,
        identifiers: [{ type: 'email', value: secret }],
      }),
    ].join('\n');
    const items = await readAll(text, { format: 'ndjson' });
    expect(events(items).map((e) => e.line)).toEqual([1, 7]);
    expect(errors(items)).toEqual([
      { line: 2, error: 'invalid JSON' },
      { line: 3, error: 'not a JSON object (one event per line)' },
      { line: 4, error: 'occurredAt: Invalid ISO datetime' },
      { line: 5, error: 'identifiers: Too small: expected array to have >=1 items' },
      {
        line: 6,
        error: expect.stringContaining(
          'identifiers.0.value: Invalid input: expected string, received number',
        ) as string,
      },
    ]);
    for (const { error } of errors(items)) expect(error).not.toContain(secret);
  });

  it('refuses a record holding a lone surrogate, names where, and reads the next', async () => {
    // JSON.stringify escapes a lone surrogate as \udXXX: valid JSON, not well-formed Unicode.
    const event = (id: string, value: string) =>
      ndjson({ id, source: 'web', occurredAt: at, identifiers: [{ type: 'cookie_id', value }] });
    const text = [event('s1', 'sur-\ud800'), event('s2', 'sur-\udfff'), event('ok', 'sur-ok')].join(
      '\n',
    );
    const items = await readAll(text, { format: 'ndjson' });
    expect(events(items).map((e) => e.line)).toEqual([3]);
    expect(errors(items)).toEqual([
      { line: 1, error: '$.identifiers[0].value: not well-formed Unicode' },
      { line: 2, error: '$.identifiers[0].value: not well-formed Unicode' },
    ]);
  });

  it('refuses a record whose bytes are not UTF-8, wherever the chunks are cut, and reads the rest', async () => {
    // Two cookies that differ only in bytes that are not text: decoded, both would be "sur-\uFFFD"
    // and one identifier, linking two people.
    const event = (id: string, value: Buffer) =>
      Buffer.concat([
        Buffer.from(`{"id":"${id}","source":"web","occurredAt":"${at}","identifiers":[`),
        Buffer.from('{"type":"cookie_id","value":"sur-'),
        value,
        Buffer.from('"}]}'),
      ]);
    const file = Buffer.concat([
      Buffer.from('\uFEFF'),
      event('ok1', Buffer.from('é漢😀')),
      Buffer.from('\r\n'),
      event('bad1', Buffer.from([0xff])),
      Buffer.from('\r\n'),
      event('bad2', Buffer.from([0xfe])),
      Buffer.from('\n'),
      event('bad3', Buffer.from([0xed, 0xa0, 0x80])), // a surrogate in CESU-8
      Buffer.from('\r'),
      event('ok2', Buffer.from('ok')),
      Buffer.from('\n\n'),
      event('bad4', Buffer.from([0xe6, 0xbc])), // a character cut short, at the end of the file
    ]);
    for (const size of [1, 2, 3, 7, file.length]) {
      const items = await readBytes(file, size, { format: 'ndjson' });
      expect(events(items).map((e) => [e.line, e.event.id])).toEqual([
        [1, 'ok1'],
        [5, 'ok2'],
      ]);
      expect(events(items)[0]!.event.identifiers[0]!.value).toBe('sur-é漢😀');
      expect(errors(items)).toEqual([
        { line: 2, error: 'not UTF-8 text' },
        { line: 3, error: 'not UTF-8 text' },
        { line: 4, error: 'not UTF-8 text' },
        { line: 7, error: 'not UTF-8 text' },
      ]);
    }
  });

  it('strips a byte-order mark and reads CRLF line ends', async () => {
    const line = (id: string) =>
      ndjson({
        id,
        source: 'web',
        occurredAt: at,
        identifiers: [{ type: 'email', value: 'a@example.org' }],
      });
    const items = await readAll(`\uFEFF${line('e1')}\r\n${line('e2')}\r\n`, { format: 'ndjson' });
    expect(events(items).map((e) => e.event.id)).toEqual(['e1', 'e2']);
    expect(errors(items)).toEqual([]);
  });

  it('fills a missing or empty source from --source and keeps a given one', async () => {
    const text = [
      ndjson({
        id: 'e1',
        occurredAt: at,
        identifiers: [{ type: 'email', value: 'a@example.org' }],
      }),
      ndjson({
        id: 'e2',
        source: '',
        occurredAt: at,
        identifiers: [{ type: 'email', value: 'a@example.org' }],
      }),
      ndjson({
        id: 'e3',
        source: 'web',
        occurredAt: at,
        identifiers: [{ type: 'email', value: 'a@example.org' }],
      }),
    ].join('\n');
    expect(
      events(await readAll(text, { format: 'ndjson', source: 'import' })).map(
        (e) => e.event.source,
      ),
    ).toEqual(['import', 'import', 'web']);
    expect(errors(await readAll(text, { format: 'ndjson' })).map((e) => e.line)).toEqual([1, 2]);
  });
});

describe('readEvents: CSV', () => {
  it('maps identifier columns by type, attributes and consent columns; skips empty cells', async () => {
    const text = [
      'id,source,occurredAt,email,phone,email,loyalty_id,firstName,dateOfBirth,consent_identity_linking,consent_marketing',
      `e1,web,${at},ann@example.org,,ann.work@example.org,l-9,Ann,1990-04-01,true,no`,
      `e2,pos,${at},,+14155552671,,,,,,`,
      `e3,crm,${at},bob@example.org,,,,, ,FALSE,Yes`,
    ].join('\n');
    const items = await readAll(text, { format: 'csv' });
    expect(errors(items)).toEqual([]);
    expect(events(items)).toEqual([
      {
        line: 2,
        event: {
          id: 'e1',
          source: 'web',
          occurredAt: at,
          identifiers: [
            { type: 'email', value: 'ann@example.org' },
            { type: 'email', value: 'ann.work@example.org' },
            { type: 'loyalty_id', value: 'l-9' },
          ],
          attributes: { firstName: 'Ann', dateOfBirth: '1990-04-01' },
          consent: { purposes: { identity_linking: true, marketing: false } },
        },
      },
      {
        line: 3,
        event: {
          id: 'e2',
          source: 'pos',
          occurredAt: at,
          identifiers: [{ type: 'phone', value: '+14155552671' }],
        },
      },
      {
        line: 4,
        event: {
          id: 'e3',
          source: 'crm',
          occurredAt: at,
          identifiers: [{ type: 'email', value: 'bob@example.org' }],
          consent: { purposes: { identity_linking: false, marketing: true } },
        },
      },
    ]);
  });

  it('reports bad rows by line number, keeps going, and never quotes a value', async () => {
    const secret = 'carol.private@example.org';
    const text = [
      'id,source,occurredAt,email,consent_marketing',
      `e1,web,${at},${secret},`,
      `e2,web,not-a-date,${secret},`,
      `e3,web,${at},,`,
      `e4,web,${at},${secret},maybe`,
      `e5,web,${at},${secret}`,
      '',
      `e6,web,${at},${secret},true,surplus`,
      `"e7","web","${at}","${secret}",""`,
    ].join('\n');
    const items = await readAll(text, { format: 'csv' });
    expect(events(items).map((e) => [e.line, e.event.id])).toEqual([
      [2, 'e1'],
      [9, 'e7'],
    ]);
    expect(errors(items)).toEqual([
      { line: 3, error: 'occurredAt: Invalid ISO datetime' },
      { line: 4, error: 'identifiers: Too small: expected array to have >=1 items' },
      { line: 5, error: 'consent_marketing: expected true or false' },
      { line: 6, error: 'expected 5 fields, found 4' },
      { line: 8, error: 'expected 5 fields, found 6' },
    ]);
    for (const { error } of errors(items)) expect(error).not.toContain(secret);
  });

  it('refuses a row whose bytes are not UTF-8, in a quoted field over lines too, and reads the rest', async () => {
    const file = Buffer.concat([
      Buffer.from(`\uFEFFid,source,occurredAt,cookie_id,street\r\n`),
      Buffer.from(`e1,web,${at},c-1,"1 Main St\nApt `),
      Buffer.from([0xc3, 0x28]), // an invalid sequence on the second line of a quoted field
      Buffer.from(`"\r\ne2,web,${at},c-`),
      Buffer.from([0xff]),
      Buffer.from(`,\r\ne3,web,${at},c-é,\r\ne4,web,${at},c-4,`),
      Buffer.from([0xe6, 0xbc]),
    ]);
    for (const size of [1, 5, file.length]) {
      const items = await readBytes(file, size, { format: 'csv' });
      expect(events(items).map((e) => [e.line, e.event.id, e.event.identifiers[0]!.value])).toEqual(
        [[5, 'e3', 'c-é']],
      );
      expect(errors(items)).toEqual([
        { line: 3, error: 'not UTF-8 text' },
        { line: 4, error: 'not UTF-8 text' },
        { line: 6, error: 'not UTF-8 text' },
      ]);
    }
    const header = Buffer.concat([
      Buffer.from('id,source,'),
      Buffer.from([0xff]),
      Buffer.from('\n'),
    ]);
    await expect(readBytes(header, 4, { format: 'csv' })).rejects.toThrow(
      new EventFileError('line 1: the header is not UTF-8 text'),
    );
  });

  it('reads quoted fields with delimiters, quotes and line breaks', async () => {
    const text = [
      'id,source,occurredAt,user_id,street',
      `e1,web,${at},"u,1","1 Main St""\nApt 2"`,
      `e2,web,${at},u2,`,
    ].join('\n');
    const items = await readAll(text, { format: 'csv' });
    expect(events(items)).toEqual([
      {
        line: 3,
        event: {
          id: 'e1',
          source: 'web',
          occurredAt: at,
          identifiers: [{ type: 'user_id', value: 'u,1' }],
          attributes: { street: '1 Main St"\nApt 2' },
        },
      },
      {
        line: 4,
        event: {
          id: 'e2',
          source: 'web',
          occurredAt: at,
          identifiers: [{ type: 'user_id', value: 'u2' }],
        },
      },
    ]);
  });

  it('takes another delimiter, a BOM, and --source for a file without a source column', async () => {
    const text = `\uFEFFid;occurredAt;email\ne1;${at};a@example.org\n`;
    const items = await readAll(text, { format: 'csv', delimiter: ';', source: 'import' });
    expect(events(items)).toEqual([
      {
        line: 2,
        event: {
          id: 'e1',
          source: 'import',
          occurredAt: at,
          identifiers: [{ type: 'email', value: 'a@example.org' }],
        },
      },
    ]);
  });

  it('notes columns that are neither identifier types nor known attributes', async () => {
    const notices: string[] = [];
    const text = `id,source,occurredAt,email,emial,\ne1,web,${at},a@example.org,x,y\n`;
    const items = await readAll(text, { format: 'csv', onNotice: (n) => notices.push(n) });
    expect(events(items)[0]?.event.attributes).toEqual({ emial: 'x' });
    expect(notices).toEqual([
      'column "emial" is neither an identifier type nor a known attribute: read as attribute "emial"',
      'column 6 has no name: ignored',
    ]);
  });

  it.each([
    ['a missing id column', `source,occurredAt,email`, /no "id" column/],
    [
      'a missing source column without --source',
      `id,occurredAt,email`,
      /no "source" column \(or pass --source\)/,
    ],
    [
      'no identifier column',
      `id,source,occurredAt,firstName`,
      /no identifier column; name identifier columns by type: email, phone/,
    ],
    [
      'a repeated attribute column',
      `id,source,occurredAt,email,city,city`,
      /column "city" appears twice/,
    ],
    ['a repeated field column', `id,source,occurredAt,email,id`, /column "id" appears twice/],
    [
      'a consent column with a bad purpose',
      `id,source,occurredAt,email,consent_Marketing`,
      /consent purpose is lower_snake_case/,
    ],
  ])('rejects a header with %s as unusable', async (_what, header, message) => {
    await expect(
      readAll(`${header}\ne1,web,${at},a@example.org\n`, { format: 'csv' }),
    ).rejects.toThrow(message);
    await expect(readAll(`${header}\n`, { format: 'csv' })).rejects.toBeInstanceOf(EventFileError);
  });

  it('reads an empty file as no events', async () => {
    expect(await readAll('', { format: 'csv' })).toEqual([]);
    expect(await readAll('', { format: 'ndjson' })).toEqual([]);
  });
});

describe('readEvents: large files', () => {
  let dir: string;
  const lines = 60_000;
  let ndjsonPath: string;
  let csvPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idgraph-cli-read-'));
    ndjsonPath = join(dir, 'big.ndjson');
    csvPath = join(dir, 'big.csv');
    const nd: string[] = [];
    const csv: string[] = ['id,source,occurredAt,email,cookie_id,firstName'];
    for (let i = 0; i < lines; i++) {
      nd.push(
        ndjson({
          id: `e${i}`,
          source: 'web',
          occurredAt: at,
          identifiers: [
            { type: 'email', value: `user${i}@example.org` },
            { type: 'cookie_id', value: `ck-${i}` },
          ],
        }),
      );
      csv.push(`e${i},web,${at},user${i}@example.org,ck-${i},Name${i}`);
    }
    await writeFile(ndjsonPath, `${nd.join('\n')}\n`);
    await writeFile(csvPath, `${csv.join('\n')}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['ndjson', 'csv'] as const)(
    'streams %s: reading the first records reads a small part of the file',
    async (format) => {
      const input = createReadStream(format === 'csv' ? csvPath : ndjsonPath);
      const size = statSync(input.path).size;
      expect(size).toBeGreaterThan(3_000_000);
      let seen = 0;
      for await (const item of readEvents(input, { format, identifierTypes })) {
        expect('event' in item).toBe(true);
        seen += 1;
        if (seen === 100) {
          // Give the stream time to read ahead as far as it would without back-pressure.
          await new Promise((r) => setTimeout(r, 100));
          expect(input.bytesRead).toBeLessThan(size / 10);
          break;
        }
      }
      // Stopping early closes the file.
      expect(input.destroyed).toBe(true);
    },
  );

  it.each(['ndjson', 'csv'] as const)(
    'reads every record of a large %s file in order',
    async (format) => {
      let count = 0;
      let lastLine = 0;
      for await (const item of readEvents(
        createReadStream(format === 'csv' ? csvPath : ndjsonPath),
        { format, identifierTypes },
      )) {
        if (!('event' in item)) throw new Error(`line ${item.line}: ${item.error}`);
        expect(item.line).toBeGreaterThan(lastLine);
        lastLine = item.line;
        count += 1;
      }
      expect(count).toBe(lines);
      expect(lastLine).toBe(format === 'csv' ? lines + 1 : lines);
    },
  );

  it('fails when the input cannot be read', async () => {
    await expect(readAllFrom(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

async function readAllFrom(path: string) {
  const items: ReadItem[] = [];
  for await (const item of readEvents(createReadStream(path), {
    format: 'ndjson',
    identifierTypes,
  }))
    items.push(item);
  return items;
}
