import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifySchemaValidationError } from 'fastify'
import fastJsonStringify, { type Schema } from 'fast-json-stringify'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

function ajv (coerceTypes: Options['coerceTypes'], named: readonly object[]): Ajv {
  const instance = new Ajv({ removeAdditional: true, useDefaults: true, coerceTypes, allErrors: false, strict: true })
  addFormats(instance)
  for (const schema of named) instance.addSchema(schema)
  return instance
}

/**
 * Compiled functions by schema text, per set of named schemas: every app built in one process
 * (the test suite builds hundreds) compiles each route's schemas once. Compiling is most of an
 * app's boot; the functions are pure, and the named schemas never change.
 */
const compiledFor = new WeakMap<readonly object[], Map<string, unknown>>()

function memoized<T> (named: readonly object[], key: string, compile: () => T): T {
  let cache = compiledFor.get(named)
  if (!cache) compiledFor.set(named, cache = new Map())
  if (!cache.has(key)) cache.set(key, compile())
  return cache.get(key) as T
}

/**
 * Fastify's validator compiler, resolving references to the `named` schemas. JSON bodies carry
 * real types: `"roles": "admin"` is an error, never ["admin"]. Query strings, params and headers
 * arrive as strings and need coercion (Fastify's default for every part).
 */
export function createValidatorCompiler (named: readonly object[]): FastifySchemaCompiler<object> {
  const instances = memoized(named, 'ajv', () => ({ bodies: ajv(false, named), strings: ajv('array', named) }))
  return ({ schema, httpPart }) => {
    const kind = httpPart === 'body' ? 'bodies' : 'strings'
    return memoized(named, `${kind} ${JSON.stringify(schema)}`, () => instances[kind].compile(schema))
  }
}

/** Fastify's response serializer compiler (fast-json-stringify, as Fastify's default), resolving the `named` schemas. */
export function createSerializerCompiler (named: ReadonlyArray<{ $id?: string }>): FastifySerializerCompiler<Schema> {
  const external: Record<string, Schema> = Object.fromEntries(named.map(s => [s.$id!, s as Schema]))
  return ({ schema }) => memoized(named, `response ${JSON.stringify(schema)}`, () => {
    // A response schema that is itself a named one must not also be an external one.
    const { [(schema as { $id?: string }).$id ?? '']: _self, ...others } = external
    return fastJsonStringify(schema, { schema: others })
  })
}

/** What a field's pattern means, by the field's name: no client should have to read a regular expression. */
const PATTERN_MEANS: Record<string, string> = {
  email: 'is not an email address',
  newEmail: 'is not an email address',
  name: 'must not contain control characters (and a passkey name must not be blank)',
  id: 'is not a valid id',
  userId: 'is not a valid id',
  factorId: 'is not a valid id',
  challengeId: 'is not a valid id'
}

/**
 * Fastify's schema error formatter, as its default (`body/email must …`, every error joined),
 * except that a pattern is never shown: the message says what the field must be.
 */
export function formatSchemaErrors (errors: FastifySchemaValidationError[], dataVar: string): Error {
  const text = errors.map(e => {
    const field = e.instancePath.slice(e.instancePath.lastIndexOf('/') + 1)
    const message = e.keyword === 'pattern' ? PATTERN_MEANS[field] ?? 'is not in the expected form' : e.message
    return `${dataVar}${e.instancePath} ${message}`
  }).join(', ')
  return new Error(text)
}
