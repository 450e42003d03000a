/** A valid one-colour baseline JPEG encoded as tightly as the format allows (2 bits per 8×8 block). */
export function flatJpeg(width: number, height: number, options?: { sampling?: '4:2:0' | '4:4:4' }): Buffer;
/** A copy of a real JPEG whose frame header claims `first`, followed by more frame headers claiming `rest`. */
export function withExtraFrameHeaders(jpeg: Buffer, first: { width: number; height: number }, rest: Array<{ width: number; height: number }>): Buffer;
/** Offset of the first frame header (SOF0–SOF2) of a JPEG. */
export function findFrameHeader(jpeg: Buffer): number;
