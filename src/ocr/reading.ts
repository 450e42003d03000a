/** One recognised word or line, with where it is on the screenshot. */
export interface TextBox {
  text: string;
  /** Tesseract's confidence, 0–100. */
  confidence: number;
  /** In screenshot pixels, also when a `region` was read or the image was upscaled for reading. */
  box: { x: number; y: number; width: number; height: number };
}

/** What `screenshot.text()` resolves to. */
export interface TextReading {
  /** Every line read, top to bottom, whitespace normalised (see normalizeText). */
  text: string;
  lines: TextBox[];
  words: TextBox[];
}

/**
 * Any run of whitespace, line breaks included, becomes one space; the ends are trimmed. Text matching works on this
 * form, so a phrase that wraps onto the next line is still found.
 */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
