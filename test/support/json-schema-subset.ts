/**
 * Just enough of JSON Schema draft 2020-12 to hold firewall-rules.schema.json
 * (and upload-rules.schema.json) to the same examples as their parsers: the keywords that schema uses, and an
 * error for any other, so the schema cannot quietly grow past this checker.
 */
import { isPlainObject } from '../../edge-functions/core/safe-json';

type Schema = boolean | { readonly [keyword: string]: unknown };

const SUPPORTED = new Set([
  '$schema',
  '$defs',
  '$ref',
  'title',
  'description',
  'default',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minItems',
  'uniqueItems',
  'minLength',
  'pattern',
  'minimum',
  'maximum',
  'oneOf',
]);

export function validate(root: Schema, value: unknown): boolean {
  const resolve = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`dangling $ref ${ref}`);
    return node as Schema;
  };

  const check = (schema: Schema, v: unknown): boolean => {
    if (typeof schema === 'boolean') return schema;
    for (const keyword of Object.keys(schema)) if (!SUPPORTED.has(keyword)) throw new Error(`unsupported keyword ${keyword}`);
    const s = schema as Record<string, unknown>;
    if (typeof s.$ref === 'string' && !check(resolve(s.$ref), v)) return false;
    if (s.type !== undefined && !hasType(v, s.type as string)) return false;
    if ('const' in s && !same(s.const, v)) return false;
    if (Array.isArray(s.enum) && !s.enum.some((e) => same(e, v))) return false;
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && [...v].length < s.minLength) return false;
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) return false;
    }
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) return false;
      if (typeof s.maximum === 'number' && v > s.maximum) return false;
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) return false;
      if (s.uniqueItems === true && v.some((a, i) => v.findIndex((b) => same(a, b)) !== i)) return false;
      if (s.items !== undefined && !v.every((item) => check(s.items as Schema, item))) return false;
    }
    if (isPlainObject(v)) {
      if (Array.isArray(s.required) && !s.required.every((key) => Object.hasOwn(v, key as string))) return false;
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      for (const [key, inner] of Object.entries(v)) {
        if (Object.hasOwn(properties, key)) {
          if (!check(properties[key] as Schema, inner)) return false;
        } else if (s.additionalProperties !== undefined && !check(s.additionalProperties as Schema, inner)) {
          return false;
        }
      }
    }
    if (Array.isArray(s.oneOf) && s.oneOf.filter((option) => check(option as Schema, v)).length !== 1) return false;
    return true;
  };

  return check(root, value);
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      throw new Error(`unsupported type ${type}`);
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
