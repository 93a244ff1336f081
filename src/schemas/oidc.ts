import { Type } from '@sinclair/typebox'
import { ref } from './common.js'

export const OidcProviderSchema = Type.Object({
  id: Type.String({ description: 'In the provider routes: /auth/oidc/{id}/start' }),
  name: Type.String({ description: 'For the button: "Continue with {name}"' })
}, { $id: 'OidcProvider', additionalProperties: false })

export const OidcProviderListSchema = Type.Object({
  providers: Type.Array(ref(OidcProviderSchema))
}, { $id: 'OidcProviderList', description: 'The configured providers (OIDC_PROVIDERS)' })

export const ProviderParams = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 64 }) })

const RedirectTo = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'Where the browser goes afterwards: a path on this server (default `/`) or a URL on an ALLOWED_ORIGINS origin'
})

export const OidcStartQuery = Type.Object({
  redirect_to: Type.Optional(RedirectTo),
  link: Type.Optional(Type.Boolean({ description: 'Link the provider to the signed-in user instead of signing in (the session is checked as on sensitive routes)' }))
})

export const OidcCallbackQuery = Type.Object({
  code: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  iss: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  error_description: Type.Optional(Type.String())
}, { description: "The provider's authorization response" })

export const IdTokenRequestSchema = Type.Object({
  idToken: Type.String({ minLength: 1, maxLength: 8192, description: "An ID token from the platform's own sign-in (Google Sign-In on Android or iOS)" }),
  nonce: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'The nonce the app passed to that sign-in: the token must carry it' }))
}, { $id: 'IdTokenRequest', additionalProperties: false })

export const IdentitySchema = Type.Object({
  id: Type.String(),
  provider: Type.String({ description: 'The provider id (OIDC_PROVIDERS)' }),
  email: Type.String({ description: 'The address the provider asserted' }),
  createdAt: Type.String({ format: 'date-time' })
}, { $id: 'Identity', additionalProperties: false, description: 'An account at a provider, linked to this user' })

export const IdentityListSchema = Type.Object({ identities: Type.Array(ref(IdentitySchema)) }, { $id: 'IdentityList' })

export const IdentityParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$' }) })
