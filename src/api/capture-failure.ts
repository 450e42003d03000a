import { ConnectionError, HttpStatusError, InvalidResponseError, InvalidScreenshotError, TimeoutError, UnreadableBaselineError } from '../errors.js';

/**
 * A failed screenshot worth trying again: the agent's browser may be between pages, the API briefly overloaded.
 * Polling matchers poll past it; a run skips that capture and goes on.
 */
export function isTransientCaptureFailure(error: unknown): boolean {
  if (error instanceof TimeoutError || error instanceof ConnectionError || error instanceof InvalidResponseError) return true;
  // A broken capture (cut short in transit) is worth another; a broken baseline on disk is not.
  if (error instanceof InvalidScreenshotError) return !(error instanceof UnreadableBaselineError);
  return error instanceof HttpStatusError && (error.status >= 500 || error.status === 429);
}
