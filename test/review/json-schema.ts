import { readFileSync } from 'node:fs';

/**
 * Checks a value against docs/results.schema.json: the subset of JSON Schema that file uses (type, const, enum,
 * required, properties, additionalProperties, items, $ref, minimum, maximum, pattern, date-time). Returns every
 * violation as "$.path: what", so a test shows all of them at once.
 */
export function validateResults(value: unknown): string[] {
  const schema = JSON.parse(readFileSync(new URL('../../docs/results.schema.json', import.meta.url), 'utf8')) as Schema;
  return check(schema, value, schema, '$');
}

interface Schema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  $ref?: string;
  $defs?: Record<string, Schema>;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
}

function check(schema: Schema, value: unknown, root: Schema, at: string): string[] {
  if (schema.$ref) return check(root.$defs![schema.$ref.replace('#/$defs/', '')]!, value, root, at);
  if ('const' in schema && value !== schema.const) return [`${at}: is ${JSON.stringify(value)}, not ${JSON.stringify(schema.const)}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`];
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => isType(type, value))) return [`${at}: ${JSON.stringify(value)} is not ${types.join(' or ')}`];
  }
  const errors: string[] = [];
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: ${value} > ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) errors.push(`${at}: ${value} is not a UTC date-time`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => errors.push(...check(schema.items!, item, root, `${at}[${i}]`)));
  if (isType('object', value)) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) errors.push(`${at}: missing "${key}"`);
    for (const [key, item] of Object.entries(object)) {
      const property = schema.properties?.[key];
      if (property) errors.push(...check(property, item, root, `${at}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: undocumented property "${key}"`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...check(schema.additionalProperties, item, root, `${at}.${key}`));
    }
  }
  return errors;
}

function isType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}
