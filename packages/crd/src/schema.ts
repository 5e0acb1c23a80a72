/**
 * A small schema builder that is the single source of the QueueScaler API: from one
 * description it gives the TypeScript types (through inference), the OpenAPI v3 schema for
 * the CRD (structural, as Kubernetes requires: `type` on every node, no `$ref`, no
 * `additionalProperties` beside `properties`) and a defaulting function that mirrors what the
 * apiserver does with `default`. zod's JSON Schema output was the alternative; it emits
 * `additionalProperties: false`, `anyOf` for optionals and JSON-Schema-2020 keywords that a
 * CRD rejects, so post-processing it would have been a second, hidden source of truth.
 */

/** The subset of the Kubernetes `JSONSchemaProps` that printq's CRD uses. */
export interface OpenApiSchema {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  description?: string;
  format?: string;
  enum?: readonly (string | number)[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: CelRule[];
}

/** A CEL rule checked by the apiserver (`x-kubernetes-validations`). */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?:
    'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/**
 * A CEL rule plus the same rule in TypeScript, side by side so they cannot drift apart
 * unnoticed: the apiserver runs `rule`, the operator can run `holds` (a defence for objects
 * that reached it without the CRD's validation). A test checks both agree.
 */
export interface Validation<T> extends CelRule {
  holds: (self: T) => boolean;
}

/** How a property appears in its parent object. */
export type Presence = 'required' | 'optional' | 'defaulted';

/**
 * One node of the schema. `Out` is the type after apiserver defaulting (what the operator
 * reads), `In` the type a user may write (defaulted fields optional).
 */
export class Schema<Out, In = Out, P extends Presence = 'required'> {
  declare readonly _out: Out;
  declare readonly _in: In;
  declare readonly _presence: P;

  constructor(
    readonly openapi: OpenApiSchema,
    readonly presence: Presence = 'required',
    readonly children: ChildSchemas = {},
  ) {}

  /** The property may be absent and has no default. */
  optional(): Schema<Out, In, 'optional'> {
    return new Schema(this.openapi, 'optional', this.children);
  }

  /**
   * The apiserver fills `value` when the property is absent; nested defaults then apply
   * inside it, so an object default may be partial (typically `{}`).
   */
  default(value: In): Schema<Out, In, 'defaulted'> {
    return new Schema({ ...this.openapi, default: value }, 'defaulted', this.children);
  }

  describe(description: string): Schema<Out, In, P> {
    return new Schema({ ...this.openapi, description }, this.presence, this.children);
  }
}

interface ChildSchemas {
  properties?: Record<string, AnySchema>;
  items?: AnySchema;
  validations?: Validation<unknown>[] | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: any Schema fits here
export type AnySchema = Schema<any, any, Presence>;
export type Infer<S extends AnySchema> = S['_out'];
export type InferInput<S extends AnySchema> = S['_in'];

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Shape = Record<string, AnySchema>;
type KeysWhere<S extends Shape, P extends Presence> = {
  [K in keyof S]: S[K]['_presence'] extends P ? K : never;
}[keyof S];

type ObjectOut<S extends Shape> = Simplify<
  { [K in KeysWhere<S, 'required' | 'defaulted'>]: S[K]['_out'] } & {
    [K in KeysWhere<S, 'optional'>]?: S[K]['_out'];
  }
>;
type ObjectIn<S extends Shape> = Simplify<
  { [K in KeysWhere<S, 'required'>]: S[K]['_in'] } & {
    [K in KeysWhere<S, 'optional' | 'defaulted'>]?: S[K]['_in'];
  }
>;

type Common = Pick<OpenApiSchema, 'description'>;

export function string(
  opts: Common & Pick<OpenApiSchema, 'pattern' | 'minLength' | 'maxLength' | 'format'> = {},
): Schema<string> {
  return new Schema({ type: 'string', ...opts });
}

export function enumOf<const V extends readonly string[]>(
  values: V,
  opts: Common = {},
): Schema<V[number]> {
  return new Schema({ type: 'string', enum: values, ...opts });
}

export function integer(
  opts: Common & Pick<OpenApiSchema, 'minimum' | 'maximum'> = {},
): Schema<number> {
  return new Schema({ type: 'integer', format: 'int32', ...opts });
}

export function number(
  opts: Common & Pick<OpenApiSchema, 'minimum' | 'maximum' | 'exclusiveMinimum'> = {},
): Schema<number> {
  return new Schema({ type: 'number', ...opts });
}

export function boolean(opts: Common = {}): Schema<boolean> {
  return new Schema({ type: 'boolean', ...opts });
}

/** An RFC 3339 timestamp, as `metav1.Time` serializes. */
export function dateTime(opts: Common = {}): Schema<string> {
  return new Schema({ type: 'string', format: 'date-time', ...opts });
}

export function object<S extends Shape>(
  shape: S,
  opts: Common & { validations?: Validation<ObjectOut<S>>[] } = {},
): Schema<ObjectOut<S>, ObjectIn<S>> {
  const properties: Record<string, OpenApiSchema> = {};
  const required: string[] = [];
  for (const [key, child] of Object.entries(shape)) {
    properties[key] = child.openapi;
    if (child.presence === 'required') required.push(key);
  }
  const openapi: OpenApiSchema = { type: 'object', properties };
  if (opts.description) openapi.description = opts.description;
  if (required.length > 0) openapi.required = required;
  if (opts.validations?.length) {
    openapi['x-kubernetes-validations'] = opts.validations.map(({ holds: _holds, ...cel }) => cel);
  }
  const validations = opts.validations as Validation<unknown>[] | undefined;
  return new Schema(openapi, 'required', { properties: shape, validations });
}

export function array<I extends AnySchema>(
  items: I,
  opts: Common &
    Pick<
      OpenApiSchema,
      'minItems' | 'maxItems' | 'x-kubernetes-list-type' | 'x-kubernetes-list-map-keys'
    > = {},
): Schema<I['_out'][], I['_in'][]> {
  return new Schema({ type: 'array', items: items.openapi, ...opts }, 'required', { items });
}

/**
 * Fills absent properties from their defaults, recursively, like the apiserver does on
 * decode: a nested default applies only when its parent object is present (after the
 * parent's own default was applied). Values are copied, never shared with the schema.
 */
export function applyDefaults<S extends AnySchema>(schema: S, value: InferInput<S>): Infer<S> {
  return fill(schema, structuredClone(value)) as Infer<S>;
}

function fill(schema: AnySchema, value: unknown): unknown {
  const { properties, items } = schema.children;
  if (properties && isPlainObject(value)) {
    for (const [key, child] of Object.entries(properties)) {
      if (value[key] === undefined && child.openapi.default !== undefined) {
        value[key] = structuredClone(child.openapi.default);
      }
      if (value[key] !== undefined) value[key] = fill(child, value[key]);
    }
  }
  if (items && Array.isArray(value)) return value.map((item) => fill(items, item));
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Messages of the validation rules that `value` breaks, found with the TypeScript side of
 * each rule, prefixed with the path of the object they apply to (like the apiserver's).
 */
export function validationProblems(schema: AnySchema, value: unknown, path = 'spec'): string[] {
  const { properties, items, validations } = schema.children;
  const problems: string[] = [];
  if (properties && isPlainObject(value)) {
    for (const rule of validations ?? []) {
      if (!rule.holds(value)) problems.push(`${path}${rule.fieldPath ?? ''}: ${rule.message}`);
    }
    for (const [key, child] of Object.entries(properties)) {
      if (value[key] !== undefined) {
        problems.push(...validationProblems(child, value[key], `${path}.${key}`));
      }
    }
  }
  if (items && Array.isArray(value)) {
    value.forEach((item, i) => problems.push(...validationProblems(items, item, `${path}[${i}]`)));
  }
  return problems;
}
