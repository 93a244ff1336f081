import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

function ajv (coerceTypes: Options['coerceTypes'], named: readonly object[]): Ajv {
  const instance = new Ajv({ removeAdditional: true, useDefaults: true, coerceTypes, allErrors: false, strict: true })
  addFormats(instance)
  for (const schema of named) instance.addSchema(schema)
  return instance
}

/**
 * Fastify's validator compiler, resolving references to the `named` schemas. JSON bodies carry
 * real types: `"roles": "admin"` is an error, never ["admin"]. Query strings, params and headers
 * arrive as strings and need coercion (Fastify's default for every part).
 */
export function createValidatorCompiler (named: readonly object[]): FastifySchemaCompiler<object> {
  const bodies = ajv(false, named)
  const strings = ajv('array', named)
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodies : strings).compile(schema)
}
