// SPDY/3.1 frames and header blocks as bytes, checked against the layout of the SPDY/3 draft
// and against what Go's spdystream (the kubelet's side) reads: a zlib stream that names the
// SPDY/3 dictionary and hands over each frame's block at its end.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ControlType,
  FLAG_FIN,
  type Frame,
  FrameReader,
  HeaderCompressor,
  adler32,
  controlFrame,
  controlStreamId,
  dataFrame,
  goAwayFrame,
  headerDictionary,
  headerValueBlock,
  pingFrame,
  rstStreamFrame,
  synStreamFrame,
} from '../../../src/kube/spdy.ts';

// The dictionary's Adler-32, which a zlib stream that uses it must carry (RFC 1950 DICTID).
const SPDY3_DICTIONARY_ID = 0xe3c6a7c2;

describe('frames', () => {
  it('writes a data frame as stream id, flags, 24-bit length and the bytes', () => {
    const frame = dataFrame(5, Buffer.from('hello'), FLAG_FIN);
    expect(frame.toString('hex')).toBe(`00000005` + `01000005` + Buffer.from('hello').toString('hex'));
  });

  it('writes control frames with version 3, type, flags and length', () => {
    expect(pingFrame(3).toString('hex')).toBe('80030006' + '00000004' + '00000003');
    expect(controlFrame(ControlType.settings, 0, Buffer.alloc(4)).toString('hex')).toBe('80030004' + '00000004' + '00000000');
    expect(rstStreamFrame(7, 5).toString('hex')).toBe('80030003' + '00000008' + '00000007' + '00000005');
    expect(goAwayFrame(0).toString('hex')).toBe('80030007' + '00000008' + '00000000' + '00000000');
  });

  it('writes SYN_STREAM as stream id, no associated stream, priority and slot 0, then the header block', () => {
    const block = Buffer.from('abc');
    const frame = synStreamFrame(3, block, FLAG_FIN);
    expect(frame.subarray(0, 8).toString('hex')).toBe('80030001' + '0100000d');
    expect(frame.subarray(8).toString('hex')).toBe('00000003' + '00000000' + '0000' + '616263');
  });

  it('reads frames however the bytes are split, and keeps an incomplete control frame for later', () => {
    const wire = Buffer.concat([dataFrame(1, Buffer.from('one')), rstStreamFrame(3, 5), dataFrame(3, Buffer.alloc(0), FLAG_FIN)]);
    const whole = new FrameReader().push(wire);
    const byteByByte: Frame[] = [];
    const reader = new FrameReader();
    for (const byte of wire) byteByByte.push(...reader.push(Buffer.of(byte)));
    const rst = { kind: 'control', type: ControlType.rstStream, flags: 0, payload: Buffer.from('0000000300000005', 'hex') };
    expect(whole).toEqual([{ kind: 'data', streamId: 1, flags: 0, data: Buffer.from('one') }, rst, { kind: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) }]);
    // A data frame's payload comes in the pieces it arrived in.
    expect(byteByByte).toEqual([
      ...[...'one'].map((c) => ({ kind: 'data', streamId: 1, flags: 0, data: Buffer.from(c) })),
      rst,
      { kind: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) },
    ]);
    expect(controlStreamId((whole[1] as { payload: Buffer }).payload)).toBe(3);
    const partial = new FrameReader();
    expect(partial.push(wire.subarray(0, 13))).toEqual([{ kind: 'data', streamId: 1, flags: 0, data: Buffer.from('one') }]);
    expect(partial.push(wire.subarray(13, 26))).toEqual([]);
    expect(partial.push(wire.subarray(26, 27))).toEqual([rst]);
  });

  it("hands a data frame's payload on as views of the chunks it spans, its flags on the last piece", () => {
    const payload = Buffer.alloc(32 * 1024, 7);
    const wire = dataFrame(5, payload, FLAG_FIN);
    const chunks = [wire.subarray(0, 16 * 1024), wire.subarray(16 * 1024, 32 * 1024), wire.subarray(32 * 1024)].map((c) => Buffer.from(c));
    const reader = new FrameReader();
    const pieces = chunks.map((chunk) => reader.push(chunk));
    expect(pieces.map((frames) => frames.map((f) => (f.kind === 'data' ? [f.data.length, f.flags] : f.kind)))).toEqual([[[16 * 1024 - 8, 0]], [[16 * 1024, 0]], [[8, FLAG_FIN]]]);
    // Views, not copies: each piece shares the memory of the chunk it came in.
    pieces.forEach((frames, i) => expect((frames[0] as { data: Buffer }).data.buffer).toBe(chunks[i]!.buffer));
    expect(Buffer.concat(pieces.flat().map((f) => (f as { data: Buffer }).data))).toEqual(payload);
  });
});

describe('header blocks', () => {
  it('lays out names and values with 32-bit lengths, and refuses upper-case names', () => {
    expect(headerValueBlock([['port', '80']]).toString('hex')).toBe('00000001' + '00000004' + '706f7274' + '00000002' + '3830');
    expect(() => headerValueBlock([['Port', '80']])).toThrow(/lower case/);
  });

  it('uses the SPDY/3 dictionary', () => {
    expect(headerDictionary()).toHaveLength(1423);
    expect(adler32(headerDictionary())).toBe(SPDY3_DICTIONARY_ID);
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
  });

  it('are one zlib stream per session that names the dictionary and ends each block as a sync flush does', () => {
    const compressor = new HeaderCompressor();
    const first = compressor.block([
      ['streamtype', 'error'],
      ['port', '8786'],
      ['requestid', '0'],
    ]);
    const second = compressor.block([
      ['streamtype', 'data'],
      ['port', '8786'],
      ['requestid', '0'],
    ]);
    // FDICT set, a valid header check, then the dictionary's id; only the first block has it.
    expect(first[0]).toBe(0x78);
    expect(first[1]! & 0x20).toBe(0x20);
    expect(first.readUInt16BE(0) % 31).toBe(0);
    expect(first.readUInt32BE(2)).toBe(SPDY3_DICTIONARY_ID);
    expect(second[0]).not.toBe(0x78);
    for (const block of [first, second]) expect(block.subarray(-5).toString('hex')).toBe('000000ffff');
    // zlib itself checks the dictionary id against the dictionary it is given.
    const inflated = zlib.inflateSync(Buffer.concat([first, second]), { dictionary: headerDictionary(), finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(inflated).toEqual(
      Buffer.concat([
        headerValueBlock([
          ['streamtype', 'error'],
          ['port', '8786'],
          ['requestid', '0'],
        ]),
        headerValueBlock([
          ['streamtype', 'data'],
          ['port', '8786'],
          ['requestid', '0'],
        ]),
      ]),
    );
  });

  it('splits a block larger than a stored deflate block can hold', () => {
    const big = 'x'.repeat(70_000);
    const block = new HeaderCompressor().block([['big', big]]);
    const inflated = zlib.inflateSync(block, { dictionary: headerDictionary(), finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(inflated).toEqual(headerValueBlock([['big', big]]));
  });
});
