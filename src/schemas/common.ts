import { Type, type TSchema } from '@sinclair/typebox'

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable machine-readable error code, e.g. AUTH_TOKEN_EXPIRED' }),
  error: Type.String(),
  message: Type.String()
}, { title: 'Error', description: 'Every 4xx/5xx response has this shape' })

/** Response schemas for the error statuses a route can return (429 and 500 can always happen). */
export function errorResponses (...statuses: number[]): Record<number, TSchema> {
  const all = new Set([...statuses, 429, 500])
  return Object.fromEntries([...all].map(s => [s, ErrorResponse]))
}

/** Statuses any route with a JSON body can return before its handler runs. */
export const BODY_ERRORS = [400, 413, 415] as const

/** OpenAPI security requirement of protected routes: either transport works. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { cookieAuth: [] }]
