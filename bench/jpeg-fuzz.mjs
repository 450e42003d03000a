// Mutated JPEGs for the decoder's fuzz test (test/unit/jpeg-fuzz.test.ts) and for a longer run by hand
// (bench/fuzz-jpeg.mjs): real Chromium JPEGs with byte flips, inserted and duplicated markers, truncations, edited
// length fields and extra frame headers, from a fixed seed so every run makes the same cases.
import { findFrameHeader } from './jpeg-bombs.mjs';
import { seededRandom } from './measure.mjs';

/**
 * `count` mutated copies of `fixtures` (named Chromium JPEGs). Most start from a copy whose frame header claims a
 * small size (jpeg-js decodes that many blocks of the real image data and skips the rest), so hundreds of cases
 * decode in seconds; one in eight starts from the whole image.
 */
export function mutateJpegs(fixtures, { count, seed = 1 }) {
  const random = seededRandom(seed);
  const int = (n) => Math.floor(random() * n);
  const pick = (items) => items[int(items.length)];
  const cases = [];
  for (let i = 0; i < count; i++) {
    const [name, original] = pick(Object.entries(fixtures));
    const whole = int(8) === 0;
    let bytes = whole ? Buffer.from(original) : withSize(original, { width: 8 + int(200), height: 8 + int(64) });
    const applied = [];
    for (let n = 1 + int(3); n > 0; n--) {
      const [mutation, apply] = pick(Object.entries(MUTATIONS));
      bytes = apply(bytes, { int, pick });
      applied.push(mutation);
    }
    cases.push({ name: `#${i} ${name}${whole ? '' : ' (small frame)'}: ${applied.join(', ')}`, bytes });
  }
  return cases;
}

const MUTATIONS = {
  'byte flips': (bytes, { int }) => {
    const copy = Buffer.from(bytes);
    for (let n = 1 + int(8); n > 0; n--) copy[int(copy.length)] ^= 1 + int(255);
    return copy;
  },
  'header byte flips': (bytes, { int }) => {
    const copy = Buffer.from(bytes);
    const end = Math.min(copy.length, headerEnd(copy));
    for (let n = 1 + int(4); n > 0; n--) copy[int(end)] ^= 1 + int(255);
    return copy;
  },
  'duplicated segment': (bytes, { int, pick }) => {
    const segments = listSegments(bytes);
    if (segments.length === 0) return bytes;
    const { start, end } = pick(segments);
    const at = pick(segments).start;
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(start, end), bytes.subarray(at)]);
  },
  'inserted marker': (bytes, { int }) => {
    const at = 2 + int(bytes.length - 2);
    const length = int(4) === 0 ? int(65536) : 2 + int(32);
    const body = [0xff, int(256), length >> 8, length & 0xff, ...Array.from({ length: int(16) }, () => int(256))];
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(body), bytes.subarray(at)]);
  },
  truncation: (bytes, { int }) => {
    const cut = bytes.subarray(0, 2 + int(bytes.length - 2));
    return int(2) ? Buffer.concat([cut, Buffer.from([0xff, 0xd9])]) : Buffer.from(cut);
  },
  'length field': (bytes, { int, pick }) => {
    const segments = listSegments(bytes);
    if (segments.length === 0) return bytes;
    const copy = Buffer.from(bytes);
    const { start } = pick(segments);
    const length = copy.readUInt16BE(start + 2);
    const edited = int(2) ? int(65536) : Math.max(0, Math.min(65535, length + int(33) - 16));
    copy.writeUInt16BE(edited, start + 2);
    return copy;
  },
  'frame header fields': (bytes, { int, pick }) => {
    const copy = Buffer.from(bytes);
    const at = frameHeaderAt(copy);
    if (at === undefined) return copy;
    const field = pick(['height', 'width', 'precision', 'components', 'sampling']);
    if (field === 'height' || field === 'width') copy.writeUInt16BE(pick([0, 1, int(65536), int(6000), int(2000)]), at + (field === 'height' ? 5 : 7));
    else if (field === 'precision') copy[at + 4] = pick([0, 12, 16, int(256)]);
    else if (field === 'components') copy[at + 9] = int(256);
    else if (at + 11 < copy.length) copy[at + 11] = int(256);
    return copy;
  },
  'several frame headers': (bytes, { int }) => {
    const at = frameHeaderAt(bytes);
    if (at === undefined) return bytes;
    const length = bytes.readUInt16BE(at + 2);
    const headers = Array.from({ length: 1 + int(4) }, () => {
      const header = Buffer.from(bytes.subarray(at, at + 2 + length));
      header.writeUInt16BE(1 + int(6000), 5);
      header.writeUInt16BE(1 + int(6000), 7);
      return header;
    });
    const first = Buffer.from(bytes.subarray(at, at + 2 + length));
    if (int(2)) first.writeUInt32BE(0x00010001, 5); // first claims 1×1
    return Buffer.concat([bytes.subarray(0, at), first, ...headers, bytes.subarray(at + 2 + length)]);
  },
  'duplicated scan': (bytes) => {
    const sos = listSegments(bytes).find((s) => bytes[s.start + 1] === 0xda);
    if (!sos) return bytes;
    const end = bytes.length - 2; // the scan and everything after it, up to the end-of-image marker
    return Buffer.concat([bytes.subarray(0, end), bytes.subarray(sos.start, end), bytes.subarray(end)]);
  },
};

/** A copy of a real JPEG whose frame header claims `size`: the decoder decodes that many blocks and skips the rest. */
function withSize(jpeg, { width, height }) {
  const copy = Buffer.from(jpeg);
  const at = findFrameHeader(copy);
  copy.writeUInt16BE(height, at + 5);
  copy.writeUInt16BE(width, at + 7);
  return copy;
}

/** Marker segments before the first scan's data, as { start, end } (end exclusive; the SOS segment included). */
function listSegments(bytes) {
  const segments = [];
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const end = offset + 2 + bytes.readUInt16BE(offset + 2);
    if (end > bytes.length) break;
    segments.push({ start: offset, end });
    if (bytes[offset + 1] === 0xda) break;
    offset = end;
  }
  return segments;
}

function headerEnd(bytes) {
  return listSegments(bytes).at(-1)?.end ?? bytes.length;
}

function frameHeaderAt(bytes) {
  return listSegments(bytes).find((s) => bytes[s.start + 1] >= 0xc0 && bytes[s.start + 1] <= 0xc2)?.start;
}
