// Importing the package registers the matchers, as `vitest-agi/setup` does: a test that imports `AgiClient` needs no
// setup file (without either, Vitest says only `Invalid Chai property: toMatchScreenshot`).
import './setup.js';
export { AgiClient, DEFAULT_BASE_URL, MAX_RESPONSE_BYTES, type AgiClientOptions, type CassetteMode, type CassetteOptions } from './api/client.js';
export {
  AgiError,
  AuthError,
  ConfigError,
  ConnectionError,
  FileSystemError,
  HttpStatusError,
  InvalidResponseError,
  InvalidScreenshotError,
  NotAwaitedError,
  NotFoundError,
  OcrUnavailableError,
  RegionError,
  ResultsError,
  TimeoutError,
  UnreadableBaselineError,
  UsageError,
  RunTimeoutError,
  CassetteError,
} from './errors.js';
export { MAX_PIXELS, type DecodedImage, type ImageMimeType } from './image/image.js';
export * as matchers from './matchers/index.js';
export type { PageExpectation } from './matchers/to-be-on-page.js';
export type { TextExpectation } from './matchers/page-matcher.js';
export { configure, DEFAULT_OPTIONS, type PageOptions, type PollOptions, type ProjectOptions, type Region, type ScreenshotOptions } from './options/options.js';
export type { MatchOutcome } from './matchers/outcome.js';
export { Screenshot } from './image/screenshot.js';
export { Session, type AgentMessage, type ExecutionStatus, type MessageType, type WaitResult } from './api/session.js';
export type { RawScreenshot, ScreenshotSubject, SdkScreenshot } from './matchers/subject.js';
export type { AgiMatchers } from './types.js';
export type { TextOptions, TextPattern } from './options/options.js';
export type { TextBox, TextReading } from './ocr/reading.js';
export { isAgentRun, RUN_BRAND, type AgentRun, type RunCapture, type RunOptions } from './api/agent-run.js';
export { DEFAULT_MAX_CAPTURES, DEFAULT_RUN_TIMEOUT_MS } from './api/run.js';
export { trials, type TrialBody, type TrialContext, type TrialsSummary, type TrialVerdict } from './trials/trials.js';
export type { TrialsOptions } from './options/options.js';
