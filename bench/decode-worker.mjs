// Worker thread for alternative.mjs: decodes a JPEG as src/image/image.ts does and hands the pixels back without a copy.
import { parentPort } from 'node:worker_threads';
import { decodeImage } from '../dist/image/image.js';

parentPort.on('message', ({ id, bytes }) => {
  try {
    const { width, height, data } = decodeImage(bytes, 'image/jpeg');
    parentPort.postMessage({ id, width, height, data }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: error.message });
  }
});
