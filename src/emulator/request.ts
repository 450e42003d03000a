import type { IncomingMessage } from 'node:http';
import { HttpError, invalidField } from './http-error.js';

/** Bodies are small JSON objects; anything bigger is a mistake, not a task. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON object body. An empty body is `{}` (every field of create is optional). */
export async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalidField('body', '', `Request body is not valid JSON: ${(error as Error).message}`, 'json_invalid');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidField('body', '', 'Request body must be a JSON object.', 'model_attributes_type');
  }
  return body as Record<string, unknown>;
}

export interface StringFieldRules {
  required?: boolean;
  /** Inclusive, in characters. */
  maxLength?: number;
  /** Rejects "" (the field is present but empty). */
  nonEmpty?: boolean;
}

/** A string field of a JSON body: 422 when required and missing, or of another type, or out of range. */
export function readStringField(
  body: Record<string, unknown>,
  field: string,
  rules: StringFieldRules & { required: true },
): string;
export function readStringField(body: Record<string, unknown>, field: string, rules?: StringFieldRules): string | undefined;
export function readStringField(
  body: Record<string, unknown>,
  field: string,
  { required = false, maxLength, nonEmpty = false }: StringFieldRules = {},
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw invalidField('body', field, `Field \`${field}\` is required.`, 'missing');
    return undefined;
  }
  if (typeof value !== 'string') {
    throw invalidField('body', field, `Field \`${field}\` must be a string, got ${describeType(value)}.`, 'string_type');
  }
  if (nonEmpty && value.trim() === '') {
    throw invalidField('body', field, `Field \`${field}\` must not be empty.`, 'string_too_short');
  }
  if (maxLength !== undefined && value.length > maxLength) {
    throw invalidField(
      'body',
      field,
      `Field \`${field}\` is ${value.length} characters long; at most ${maxLength} are allowed.`,
      'string_too_long',
    );
  }
  return value;
}

/** A non-negative integer query parameter such as `after_id`. */
export function readIntegerQuery(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) {
    throw invalidField('query', name, `Query parameter \`${name}\` must be a non-negative integer, got ${JSON.stringify(raw)}.`, 'int_parsing');
  }
  return Number(raw);
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Pydantic's words for a bool (FastAPI query parameters), in any case. */
const TRUE_WORDS = ['1', 'on', 't', 'true', 'y', 'yes'];
const FALSE_WORDS = ['0', 'off', 'f', 'false', 'n', 'no'];

/** A boolean query parameter such as `include_history`, read as FastAPI reads it; 422 for anything else. */
export function readBooleanQuery(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw invalidField(
    'query',
    name,
    `Query parameter \`${name}\` must be a boolean (true/false, 1/0, yes/no, on/off), got ${JSON.stringify(raw.slice(0, 100))}.`,
    'bool_parsing',
  );
}
