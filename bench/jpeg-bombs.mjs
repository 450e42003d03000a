// JPEGs that cost the decoder far more than their size: made by hand, byte by byte, so the bench and the tests can
// measure what the largest allowed image and the fuzz-found bombs cost without a browser.

/**
 * A valid baseline JPEG of one flat grey colour, encoded as tightly as the format allows: one-symbol Huffman
 * tables, so every 8×8 block is 2 bits (DC difference 0, end of block). Real encoders write more bits per block, so
 * this is the most pixels a JPEG of its size can honestly hold. `sampling` '4:2:0' is what Chromium writes; '4:4:4'
 * (three full-size planes) is the worst case for the decoder's memory.
 */
export function flatJpeg(width, height, { sampling = '4:2:0' } = {}) {
  const luma = sampling === '4:2:0' ? 0x22 : 0x11;
  const mcuSide = sampling === '4:2:0' ? 16 : 8;
  const mcus = Math.ceil(width / mcuSide) * Math.ceil(height / mcuSide);
  const blocksPerMcu = (luma === 0x22 ? 4 : 1) + 2;
  const scanBytes = Math.ceil((mcus * blocksPerMcu * 2) / 8);
  const scan = Buffer.alloc(scanBytes); // all-zero bits: "0" (DC diff 0) + "0" (EOB) per block
  const padBits = scanBytes * 8 - mcus * blocksPerMcu * 2;
  if (padBits) scan[scanBytes - 1] |= (1 << padBits) - 1; // the standard pads the last byte with 1 bits
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xdb, [0x00, ...new Array(64).fill(1)]), // DQT: table 0, every quantiser 1
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, luma, 0, 2, 0x11, 0, 3, 0x11, 0]),
    segment(0xc4, [0x00, 1, ...new Array(15).fill(0), 0x00]), // DC table 0: one 1-bit code, category 0
    segment(0xc4, [0x10, 1, ...new Array(15).fill(0), 0x00]), // AC table 0: one 1-bit code, end of block
    segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/**
 * A copy of a real JPEG whose frame header claims `first`, followed by more frame headers claiming `rest`: the shape
 * that fuzzing found costs jpeg-js gigabytes, since it sets up every frame before it notices there is more than one.
 */
export function withExtraFrameHeaders(jpeg, first, rest) {
  const at = findFrameHeader(jpeg);
  const length = jpeg.readUInt16BE(at + 2);
  const header = (size) => {
    const copy = Buffer.from(jpeg.subarray(at, at + 2 + length));
    copy.writeUInt16BE(size.height, 5);
    copy.writeUInt16BE(size.width, 7);
    return copy;
  };
  return Buffer.concat([jpeg.subarray(0, at), header(first), ...rest.map(header), jpeg.subarray(at + 2 + length)]);
}

/** Offset of the first frame header (SOF0–SOF2) of a JPEG. */
export function findFrameHeader(jpeg) {
  for (let offset = 2; offset + 4 <= jpeg.length; offset += 2 + jpeg.readUInt16BE(offset + 2)) {
    if (jpeg[offset + 1] >= 0xc0 && jpeg[offset + 1] <= 0xc2) return offset;
  }
  throw new Error('no frame header (SOF0–SOF2) in the JPEG');
}

function segment(marker, body) {
  const length = body.length + 2;
  return Buffer.from([0xff, marker, length >> 8, length & 0xff, ...body]);
}

/**
 * What the bench decodes in a fresh process each (peak RSS, time, verdict), from a real Chromium JPEG of the repo's
 * fixtures: the bombs fuzzing found must be refused at a few MB; the largest images we allow show what a decode
 * really costs at the cap (16 MP, `MAX_PIXELS`).
 */
export const JPEG_CASES = [
  {
    name: 'several frame headers (1×1, then 3 × 4000×4000)',
    expect: 'refused',
    make: (chromium) => withExtraFrameHeaders(chromium, { width: 1, height: 1 }, [1, 2, 3].map(() => ({ width: 4000, height: 4000 }))),
  },
  {
    name: 'header claims 4000×4000 over 1280×720 data',
    expect: 'refused',
    make: (chromium) => withExtraFrameHeaders(chromium, { width: 4000, height: 4000 }, []),
  },
  { name: 'largest allowed, 4000×4000 4:2:0 (as Chromium)', expect: 'decoded', make: () => flatJpeg(4000, 4000) },
  { name: 'largest allowed, 4000×4000 4:4:4', expect: 'decoded', make: () => flatJpeg(4000, 4000, { sampling: '4:4:4' }) },
];
