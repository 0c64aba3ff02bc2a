// SPDY/3.1 framing, the part of it that port-forward needs: what goes on the wire for a frame and
// an outgoing header block, and the frames in the bytes that come back. Pure: no sockets, so the
// session (kube/spdy-session.ts) holds all the state that lives on a connection.
//
// A frame is an 8-byte head and a payload. Data frames: stream id (31 bits), flags (8), length
// (24). Control frames: 0x8000 | version, type (16), flags (8), length (24).

const SPDY_VERSION = 3;

export const ControlType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** On a data frame, SYN_STREAM, SYN_REPLY or HEADERS: the sender sends nothing more on the stream. */
export const FLAG_FIN = 0x01;

/** RST_STREAM status: this side no longer wants the stream. */
export const RST_CANCEL = 5;

const GOAWAY_OK = 0;

/** The largest payload a frame's 24-bit length can carry. */
const MAX_PAYLOAD = 0xffffff;

const HEAD = 8;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

/** The 8 bytes before a data frame's payload of `length` bytes, for sending a payload without copying it. */
export function dataFrameHead(streamId: number, length: number, flags = 0): Buffer {
  if (length > MAX_PAYLOAD) throw new RangeError(`data frame of ${length} bytes: split it`);
  const head = Buffer.allocUnsafe(HEAD);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((flags & 0xff) << 24) | length, 4);
  return head;
}

export function dataFrame(streamId: number, data: Buffer, flags = 0): Buffer {
  return Buffer.concat([dataFrameHead(streamId, data.length, flags), data]);
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEAD + payload.length);
  frame.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  frame.writeUInt16BE(type, 2);
  frame.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  payload.copy(frame, HEAD);
  return frame;
}

/** headerBlock comes from a HeaderCompressor of the same session. Priority 0, no associated stream. */
export function synStreamFrame(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  const payload = Buffer.alloc(10 + headerBlock.length);
  payload.writeUInt32BE(streamId & 0x7fffffff, 0);
  headerBlock.copy(payload, 10);
  return controlFrame(ControlType.synStream, flags, payload);
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(ControlType.rstStream, 0, words(streamId & 0x7fffffff, status));
}

export function pingFrame(id: number): Buffer {
  return controlFrame(ControlType.ping, 0, words(id));
}

/** A GOAWAY with status OK: no new streams, the open ones may finish. */
export function goAwayFrame(lastGoodStreamId: number): Buffer {
  return controlFrame(ControlType.goAway, 0, words(lastGoodStreamId & 0x7fffffff, GOAWAY_OK));
}

/** The stream a SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE is about: its first word. */
export function controlStreamId(payload: Buffer): number {
  return payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0;
}

function words(...values: number[]): Buffer {
  const buffer = Buffer.allocUnsafe(4 * values.length);
  values.forEach((value, i) => buffer.writeUInt32BE(value >>> 0, 4 * i));
  return buffer;
}

/**
 * Splits a byte stream into frames. A data frame's payload is handed on in the pieces it arrives
 * in, views of the pushed chunks, with its flags on the last piece: the kubelet sends up to 32 KiB
 * a frame and TLS delivers 16 KiB at most, so waiting for whole frames copied every forwarded byte
 * into a buffer of its own (256 MiB of copies for a 256 MiB download, and garbage until the next
 * scavenge). Control frames are small and come whole; bytes of an incomplete one wait for the next
 * push.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private head: Buffer | undefined;
  /** Payload bytes of the current frame not taken yet. */
  private payloadLeft = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.head === undefined) {
        if (this.buffered < HEAD) return frames;
        this.head = this.take(HEAD);
        this.payloadLeft = this.head.readUInt32BE(4) & 0xffffff;
      }
      const head = this.head;
      if ((head[0]! & 0x80) === 0) {
        const streamId = head.readUInt32BE(0) & 0x7fffffff;
        const flags = head[4]!;
        if (this.payloadLeft === 0) frames.push({ kind: 'data', streamId, flags, data: Buffer.alloc(0) });
        while (this.payloadLeft > 0 && this.buffered > 0) {
          const first = this.chunks[0]!;
          const piece = this.take(Math.min(this.payloadLeft, first.length));
          this.payloadLeft -= piece.length;
          frames.push({ kind: 'data', streamId, flags: this.payloadLeft === 0 ? flags : 0, data: piece });
        }
        if (this.payloadLeft > 0) return frames;
      } else {
        if (this.buffered < this.payloadLeft) return frames;
        frames.push({ kind: 'control', type: head.readUInt16BE(2), flags: head[4]!, payload: this.take(this.payloadLeft) });
      }
      this.head = undefined;
    }
  }

  /** The next n buffered bytes, copied only when they span chunks. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    for (let at = 0; at < n; ) {
      const chunk = this.chunks[0]!;
      const k = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, k);
      if (k === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(k);
      at += k;
    }
    return out;
  }
}

/**
 * The header blocks one side of a session sends, as one zlib stream over all of them (SPDY/3
 * has a single compression context per direction). The zlib stream is valid but uncompressed:
 * each block is stored deflate blocks followed by an empty one, which is what a sync flush
 * writes and what makes a reader (Go's flate) hand over the bytes before the next frame.
 * Port-forward headers are a few dozen bytes per stream: compressing them would save less than
 * a deflate context costs, and stored blocks need no asynchronous zlib stream between a
 * connection and its SYN_STREAM. The stream still names the SPDY/3 dictionary, as the protocol
 * requires.
 */
export class HeaderCompressor {
  private started = false;

  block(headers: ReadonlyArray<readonly [string, string]>): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      parts.push(zlibHeaderWithDictionary());
      this.started = true;
    }
    const raw = headerValueBlock(headers);
    for (let at = 0; at < raw.length; at += STORED_MAX) {
      const piece = raw.subarray(at, at + STORED_MAX);
      parts.push(storedBlockHead(piece.length), piece);
    }
    parts.push(storedBlockHead(0));
    return Buffer.concat(parts);
  }
}

const STORED_MAX = 0xffff;

/** BFINAL 0 (the stream never ends), BTYPE 00 (stored), padding to the byte, LEN, NLEN. */
function storedBlockHead(length: number): Buffer {
  const head = Buffer.allocUnsafe(5);
  head[0] = 0x00;
  head.writeUInt16LE(length, 1);
  head.writeUInt16LE(~length & 0xffff, 3);
  return head;
}

/** A name/value block: a 32-bit count, then length-prefixed names and values. Names must be lower case. */
export function headerValueBlock(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [words(headers.length)];
  for (const [name, value] of headers) {
    if (name !== name.toLowerCase()) throw new Error(`SPDY header names are lower case: ${name}`);
    for (const text of [name, value]) {
      const bytes = Buffer.from(text, 'utf8');
      parts.push(words(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

function zlibHeaderWithDictionary(): Buffer {
  const header = Buffer.allocUnsafe(6);
  // CMF: deflate with a 32 KiB window. FLG: FDICT, and the check bits that make CMF·256+FLG a
  // multiple of 31.
  const cmf = 0x78;
  const fdict = 0x20;
  header[0] = cmf;
  header[1] = fdict + (31 - (((cmf << 8) | fdict) % 31)) % 31;
  header.writeUInt32BE(adler32(headerDictionary()), 2);
  return header;
}

export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// The SPDY/3 header dictionary (draft-mbelshe-httpbis-spdy-00, section 2.6.10.1): these words
// (comma-separated here), each with a 32-bit length before it, then the text at the end as is.
const DICTIONARY_WORDS =
  'options,head,post,put,delete,trace,accept,accept-charset,accept-encoding,accept-language,accept-ranges,age,allow,authorization,cache-control,' +
  'connection,content-base,content-encoding,content-language,content-length,content-location,content-md5,content-range,content-type,date,etag,expect,' +
  'expires,from,host,if-match,if-modified-since,if-none-match,if-range,if-unmodified-since,last-modified,location,max-forwards,pragma,proxy-authenticate,' +
  'proxy-authorization,range,referer,retry-after,server,te,trailer,transfer-encoding,upgrade,user-agent,vary,via,warning,www-authenticate,method,get,' +
  'status,200 OK,version,HTTP/1.1,url,public,set-cookie,keep-alive,origin';
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No Content' +
  '301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch' +
  'charset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

let dictionary: Buffer | undefined;

export function headerDictionary(): Buffer {
  dictionary ??= Buffer.concat([...DICTIONARY_WORDS.split(',').flatMap((word) => [words(word.length), Buffer.from(word, 'latin1')]), Buffer.from(DICTIONARY_TAIL, 'latin1')]);
  return dictionary;
}
