/// <reference types="node" preserve="true" />
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import type { DecodedImage } from './image.js';
import { MAX_PIXELS } from './limits.js';

/** `'wasm'`: mozjpeg compiled to WebAssembly (@jsquash/jpeg); `'js'`: jpeg-js, pure JavaScript. */
export type JpegDecoderName = 'wasm' | 'js';

/**
 * Turns a JPEG into RGBA. Callers walk the file's headers first (image.ts `readImageSize`): a decoder only ever sees
 * a file whose frame, pixel count and image data length have been checked. Throws on a corrupt file.
 */
export interface JpegDecoder {
  /** The decoder that runs: `'js'` when wasm was asked for but cannot run in this process. */
  readonly name: JpegDecoderName;
  decode(bytes: Uint8Array): DecodedImage;
}

/**
 * jpeg-js' own memory account (`maxMemoryUsageInMB`) for the largest image we accept: 256 bytes per block of
 * each of 3 full-size components, one byte per sample for the component lines and the colour output, 4 for RGBA:
 * 22 bytes per pixel, plus 10 % for blocks padding the right and bottom edges.
 */
const JS_MEMORY_MB = Math.ceil((MAX_PIXELS * 22 * 1.1) / 2 ** 20);

export const jsJpegDecoder: JpegDecoder = {
  name: 'js',
  decode(bytes) {
    // tolerantDecoding off: a truncated JPEG must fail, not decode into a half-grey frame.
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: JS_MEMORY_MB });
    return { width: image.width, height: image.height, data: image.data };
  },
};

/** The emscripten module of @jsquash/jpeg's mozjpeg decoder, as far as we use it. */
interface MozjpegModule {
  decode?: (data: Uint8Array, preserveOrientation: boolean) => { width: number; height: number; data: Uint8ClampedArray } | null;
}
type MozjpegFactory = (options: object) => Promise<unknown>;
/** The part of the WebAssembly global we use (the compiler's lib has no DOM types). */
interface WebAssemblyApi {
  compile(binary: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: object) => { exports: object };
}

const EXTRANEOUS_DATA = /^Corrupt JPEG data: \d+ extraneous bytes before marker 0x[0-9a-f]{2}$/;

let wasmDecoder: Promise<JpegDecoder> | undefined;

/**
 * The decoder named, ready to use. The wasm one is loaded on first use, once per process (a Vitest worker): a suite
 * whose screenshots are all byte-identical to their baselines never loads it. Where WebAssembly cannot run
 * (`node --jitless`, a policy that forbids it) the wasm decoder is jpeg-js, for both sides of every comparison.
 */
export function loadJpegDecoder(name: JpegDecoderName): Promise<JpegDecoder> {
  if (name === 'js') return Promise.resolve(jsJpegDecoder);
  wasmDecoder ??= loadWasmDecoder().catch(() => jsJpegDecoder);
  return wasmDecoder;
}

/** Whether this process has started loading the wasm decoder (for the test that a byte-identical pass loads nothing). */
export function isWasmDecoderLoaded(): boolean {
  return wasmDecoder !== undefined;
}

async function loadWasmDecoder(): Promise<JpegDecoder> {
  // Read from the package, never fetched: emscripten's own loader would fetch() it relative to its URL.
  const file = createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
  const [glue, binary] = await Promise.all([import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js') as Promise<unknown>, readFile(file)]);
  const factory = (glue as { default: MozjpegFactory }).default;
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!wasm) throw new Error('WebAssembly is not available in this process');
  const compiled = await wasm.compile(binary);
  const messages: string[] = [];
  const instantiate = (): Required<MozjpegModule> => {
    const module: MozjpegModule = {};
    // instantiateWasm answers synchronously, so the module is ready when the factory returns.
    factory(
      Object.assign(module, {
        noInitialRun: true,
        print: () => {},
        printErr: (text: string) => messages.push(text),
        instantiateWasm(imports: object, done: (instance: object) => void) {
          const instance = new wasm.Instance(compiled, imports);
          done(instance);
          return instance.exports;
        },
      }),
    ).catch(() => {});
    if (typeof module.decode !== 'function') throw new Error('the mozjpeg wasm module did not initialise');
    return module as Required<MozjpegModule>;
  };
  let instance: Required<MozjpegModule> | undefined = instantiate();
  return {
    name: 'wasm',
    decode(bytes) {
      messages.length = 0;
      instance ??= instantiate();
      let image;
      try {
        image = instance.decode(bytes, false);
      } catch (error) {
        // libjpeg's fatal errors end in exit(), which leaves what the decode had allocated in the module's memory:
        // start a fresh instance next time (about 1 ms) rather than let corrupt files leak into it.
        instance = undefined;
        throw new Error(messages.join('; ') || String(error), { cause: error });
      }
      // libjpeg warns and fills in grey where data is missing or corrupt ("Premature end of JPEG file"); a
      // screenshot that needed repair is refused, as jpeg-js refuses it without tolerantDecoding. Bytes left over
      // after the last block are only skipped: every pixel was decoded (jpeg-js ignores them too).
      const repairs = messages.filter((text) => !EXTRANEOUS_DATA.test(text));
      if (!image || repairs.length > 0) throw new Error(repairs.join('; ') || 'mozjpeg could not decode it');
      return { width: image.width, height: image.height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
    },
  };
}
