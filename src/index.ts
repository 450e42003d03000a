// Importing the package registers the matchers, as `vitest-agi/setup` does: a test that imports `AgiClient` needs no
// setup file (without either, Vitest says only `Invalid Chai property: toMatchScreenshot`).
import './setup.js';
export { AgiClient, DEFAULT_BASE_URL, MAX_RESPONSE_BYTES, type AgiClientOptions } from './client.js';
export {
  AgiError,
  AuthError,
  ConfigError,
  ConnectionError,
  HttpStatusError,
  InvalidResponseError,
  InvalidScreenshotError,
  NotFoundError,
  TimeoutError,
} from './errors.js';
export { MAX_PIXELS, type DecodedImage, type ImageMimeType } from './image.js';
export * as matchers from './matchers/index.js';
export type { PageExpectation } from './matchers/to-be-on-page.js';
export type { TextExpectation } from './matchers/page-matcher.js';
export { configure, DEFAULT_OPTIONS, type PageOptions, type PollOptions, type ProjectOptions, type Region, type ScreenshotOptions } from './options.js';
export type { MatchOutcome } from './outcome.js';
export { Screenshot } from './screenshot.js';
export { Session, type AgentMessage, type ExecutionStatus, type MessageType, type WaitResult } from './session.js';
export type { RawScreenshot, ScreenshotSubject, SdkScreenshot } from './subject.js';
export type { AgiMatchers } from './types.js';
