import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

function ajv (coerceTypes: Options['coerceTypes']): Ajv {
  const instance = new Ajv({ removeAdditional: true, useDefaults: true, coerceTypes, allErrors: false, strict: true })
  addFormats(instance)
  return instance
}

// JSON bodies carry real types: `"roles": "admin"` is an error, never ["admin"]. Query strings,
// params and headers arrive as strings and need coercion (Fastify's default for every part).
const bodies = ajv(false)
const strings = ajv('array')

/** Fastify's validator compiler with no type coercion for bodies. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodies : strings).compile(schema)
