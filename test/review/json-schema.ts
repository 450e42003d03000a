import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const schema = JSON.parse(readFileSync(new URL('../../docs/results.schema.json', import.meta.url), 'utf8')) as object;
// The draft the schema declares (2020-12); strict, so a keyword ajv does not know fails loudly (union types such as
// ["string", "number"] are standard JSON Schema, so allowed); with the formats it uses (date-time).
const validate = addFormats(new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true })).compile(schema);

/**
 * Checks a value against docs/results.schema.json with a real JSON Schema validator (ajv). Returns every
 * violation as "$/path: what", so a test shows all of them at once.
 */
export function validateResults(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `$${error.instancePath}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`);
}
