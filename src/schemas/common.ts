import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { codeOf, INTERNAL_ERROR, RateLimitedError, ServiceUnavailableError, StepUpRequiredError, type ErrorKind } from '../errors.js'
import { ReauthMethodsSchema } from './reauth.js'

/**
 * A reference to a named schema (registered once with `fastify.addSchema`, see ./index.ts): the
 * OpenAPI document lists it under `components.schemas`, so client generators emit a named type.
 */
export const ref = <T extends TSchema>(schema: T) => Type.Unsafe<Static<T>>(Type.Ref(schema.$id!))

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable machine-readable error code, e.g. AUTH_TOKEN_EXPIRED; each operation lists its own' }),
  error: Type.String({ description: 'The HTTP status text' }),
  message: Type.String({ description: 'For humans; may change' })
}, { $id: 'Error', title: 'Error', description: 'Every 4xx/5xx response has this shape' })

/** What each status means, in every operation. */
const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not authenticated, or the credentials are wrong',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state; see the code',
  413: 'Body too large (BODY_LIMIT)',
  415: 'Unsupported content type (send application/json)',
  429: 'Too many requests; retry after Retry-After seconds',
  500: 'Internal error (logged; the body says nothing more)',
  502: 'An upstream provider failed or could not be reached',
  503: 'A dependency is unavailable; retry'
}

/**
 * Response schemas for the errors a route can return, status by status, each listing its
 * possible `code` values as an enum; 429 (rate limits), 500 and 503 (the database is
 * unreachable) can always happen.
 */
export function errorResponses (...groups: Array<Partial<Record<number, ErrorKind[]>>>): Record<number, TSchema> {
  const byStatus = new Map<number, Set<string>>([
    [429, new Set([codeOf(RateLimitedError)])],
    [500, new Set([INTERNAL_ERROR])],
    [503, new Set([codeOf(ServiceUnavailableError)])]
  ])
  for (const group of groups) {
    for (const [status, kinds] of Object.entries(group)) {
      const codes = byStatus.get(Number(status)) ?? new Set()
      for (const kind of kinds ?? []) codes.add(codeOf(kind))
      byStatus.set(Number(status), codes)
    }
  }
  const out: Record<number, TSchema> = {}
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) out[status] = errorSchema(status, [...codes])
  return out
}

/** The Error schema narrowed to `kinds`' codes, with `properties` that body carries besides. */
export function errorSchema (status: number, kinds: ErrorKind[], properties: Record<string, TSchema> = {}): TSchema {
  return Type.Intersect([
    ref(ErrorSchema),
    Type.Object({ code: Type.Unsafe<string>({ type: 'string', enum: [...new Set(kinds.map(codeOf))].sort() }), ...properties })
  ], { description: STATUS_TEXT[status] ?? 'Error' })
}

/**
 * `responses` of a route that needs a recent authentication: its 403 may also be
 * AUTH_STEP_UP_REQUIRED, whose body lists the user's ways to re-authenticate (`methods`).
 */
export function withStepUp (responses: Record<number, TSchema>): Record<number, TSchema> {
  const codes = (documentedCodes(responses[403]) ?? []) as string[]
  return {
    ...responses,
    403: errorSchema(403, [...codes, codeOf(StepUpRequiredError)], { methods: Type.Optional(ref(ReauthMethodsSchema)) })
  }
}

/** The codes a response schema from errorResponses documents, or undefined for any other schema. */
export const documentedCodes = (schema: unknown): unknown[] | undefined =>
  (schema as { allOf?: Array<{ properties?: { code?: { enum?: unknown[] } } }> } | undefined)?.allOf?.[1]?.properties?.code?.enum

/** OpenAPI security requirement of protected routes: either transport works. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { cookieAuth: [] }]
/** OpenAPI security requirement of public routes. */
export const PUBLIC: Array<Record<string, string[]>> = []
