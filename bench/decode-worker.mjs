// Worker thread for alternative.mjs: decodes a JPEG as src/image/image.ts does (wasm decoder) and hands the pixels back without a copy.
import { parentPort } from 'node:worker_threads';
import { decodeImage } from '../dist/image/image.js';
import { loadJpegDecoder } from '../dist/image/jpeg-decoder.js';

const decoder = await loadJpegDecoder('wasm');

parentPort.on('message', ({ id, bytes }) => {
  try {
    const { width, height, data } = decodeImage(bytes, 'image/jpeg', decoder);
    parentPort.postMessage({ id, width, height, data }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: error.message });
  }
});
