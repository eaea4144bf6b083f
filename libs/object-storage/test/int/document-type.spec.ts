import { deflateRawSync } from 'node:zlib';

import { describe, expect, it } from '@jest/globals';

import { detectDocumentType, sniffDocumentType } from '../../src';

const pdf = Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< >>\nendobj\n', 'binary');
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

const DOCX_CONTENT_TYPES =
  '<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

/** A ZIP whose only entry is `name`: enough for magic-number detection. */
function zipWith(name: string, content = '<x/>'): Buffer {
  const data = deflateRawSync(Buffer.from(content));
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(Buffer.byteLength(content), 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, Buffer.from(name), data]);
}

describe('sniffDocumentType', () => {
  it('recognises PDF and DOCX by their magic numbers, whatever the file is called', async () => {
    expect(await sniffDocumentType(pdf, 'report.pdf')).toBe('pdf');
    expect(await sniffDocumentType(pdf, 'report')).toBe('pdf');
    expect(
      await sniffDocumentType(zipWith('[Content_Types].xml', DOCX_CONTENT_TYPES), 'memo.docx'),
    ).toBe('docx');
    expect(
      await sniffDocumentType(zipWith('[Content_Types].xml', DOCX_CONTENT_TYPES), 'memo'),
    ).toBe('docx');
  });

  it('tells the text formats apart by name, else by content', async () => {
    expect(await sniffDocumentType(Buffer.from('plain words'), 'a.txt')).toBe('txt');
    expect(await sniffDocumentType(Buffer.from('# Title\n\nbody'), 'a.md')).toBe('md');
    expect(await sniffDocumentType(Buffer.from('a,b\n1,2\n'), 'a.csv')).toBe('csv');
    expect(await sniffDocumentType(Buffer.from('<p>hi</p>'), 'a.html')).toBe('html');
    expect(await sniffDocumentType(Buffer.from('<!DOCTYPE html><html>'), 'page')).toBe('html');
    expect(await sniffDocumentType(Buffer.from('## Setup\nrun it'), 'notes')).toBe('md');
    expect(await sniffDocumentType(Buffer.from('name;age\nann;3\nbob;4\n'), 'data')).toBe('csv');
    expect(await sniffDocumentType(Buffer.from('Grüße, straße.'), 'x')).toBe('txt');
  });

  it('refuses a name that contradicts the content, and unsupported content', async () => {
    expect(await sniffDocumentType(pdf, 'notes.txt')).toBeNull();
    expect(await sniffDocumentType(Buffer.from('just text'), 'fake.pdf')).toBeNull();
    expect(await sniffDocumentType(Buffer.from('just text'), 'fake.docx')).toBeNull();
    expect(await sniffDocumentType(Buffer.from('no tags at all'), 'page.html')).toBeNull();
    expect(await sniffDocumentType(png, 'photo.txt')).toBeNull();
    expect(await sniffDocumentType(png, 'photo')).toBeNull();
    expect(await sniffDocumentType(Buffer.from([0x61, 0x00, 0x62]), 'a.txt')).toBeNull();
    expect(await sniffDocumentType(Buffer.from([0xff, 0xfe, 0xfd, 0x41]), 'a.txt')).toBeNull();
  });

  it('accepts a ZIP named .docx from its first bytes only; the whole file must be a DOCX', async () => {
    const zip = zipWith('other.xml');
    expect(await sniffDocumentType(zip, 'memo.docx')).toBe('docx');
    expect(await detectDocumentType(zip, 'memo.docx')).toBeNull();
    expect(await sniffDocumentType(zip, 'archive.zip')).toBeNull();
  });

  it('ignores a multi-byte character cut by the end of the sniffed bytes', async () => {
    const text = Buffer.from('é'.repeat(3000));
    expect(await sniffDocumentType(text.subarray(0, 4099), 'a.txt')).toBe('txt');
  });
});
