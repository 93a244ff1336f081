import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON
} from '@simplewebauthn/server'
import { Types } from 'mongoose'
import { passkeyKey, type PasskeyFields, type PasskeyModel, type WebAuthnChallengeModel } from '../../models/passkey.js'
import { PasskeyLoginFailedError, PasskeyNotFoundError, PasskeyRegistrationFailedError, SessionRevokedError } from '../errors.js'
import { templates } from '../lib/mail-templates.js'
import type { AccessClaims } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import type { ClientMeta } from './auth-service.js'
import type { LoginMethods } from './login-methods.js'
import type { Outbox } from './outbox.js'
import type { UserStore } from './user-store.js'

/** A ceremony must finish within this; its challenge works once. */
const CHALLENGE_MS = 5 * 60_000

export interface PasskeyServiceOptions {
  passkeys: PasskeyModel
  challenges: WebAuthnChallengeModel
  users: UserStore
  loginMethods: LoginMethods
  audit: AuditLog
  outbox: Outbox
  rpId: string
  rpName: string
  /** Pages allowed to run a ceremony: PUBLIC_URL and ALLOWED_ORIGINS. */
  origins: string[]
  appName: string
  now?: () => Date
}

export interface PasskeyView {
  id: string
  name: string
  createdAt: string
  lastUsedAt: string | null
  backedUp: boolean
}

const view = (p: PasskeyFields): PasskeyView => ({
  id: p._id.toHexString(),
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  backedUp: p.backedUp
})

const isDuplicateKey = (err: unknown) => (err as { code?: unknown })?.code === 11000

/** The challenge a ceremony's response answers, read from its client data; null if unreadable. */
function challengeOf (clientDataJSON: string): string | null {
  try {
    const challenge = (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString()) as { challenge?: unknown }).challenge
    return typeof challenge === 'string' ? challenge : null
  } catch {
    return null
  }
}

/** Passkeys (WebAuthn discoverable credentials) with @simplewebauthn/server. */
export function createPasskeyService (opts: PasskeyServiceOptions) {
  const { passkeys, challenges, users, audit } = opts
  const now = opts.now ?? (() => new Date())

  async function newChallenge (challenge: string, purpose: 'register' | 'login', userId: Types.ObjectId | null) {
    return challenges.create({ challenge, purpose, userId, expiresAt: new Date(now().getTime() + CHALLENGE_MS) })
  }

  /** Uses up an open challenge matching `filter`: it never answers a second response. */
  function consume (filter: Record<string, unknown>) {
    const at = now()
    return challenges.findOneAndUpdate({ ...filter, usedAt: null, expiresAt: { $gt: at } }, { $set: { usedAt: at } }).lean()
  }

  const owned = (userId: string, id: string) => ({ _id: new Types.ObjectId(id), userId: new Types.ObjectId(userId) })

  return {
    /** Creation options for a new passkey of the signed-in user; their other passkeys are excluded. */
    async registrationOptions (claims: AccessClaims): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const user = await users.readProfile(claims.sub)
      if (!user) throw new SessionRevokedError()
      const existing = await passkeys.find({ userId: user._id }, { credentialId: 1, transports: 1 }).lean()
      const options = await generateRegistrationOptions({
        rpName: opts.rpName,
        rpID: opts.rpId,
        userName: user.email,
        userDisplayName: user.name || user.email,
        // The user handle: the (random) user id, never the email.
        userID: new Uint8Array(user._id.id),
        attestationType: 'none',
        excludeCredentials: existing.map(p => ({ id: p.credentialId, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        timeout: CHALLENGE_MS
      })
      await newChallenge(options.challenge, 'register', user._id)
      return options
    },

    /** Verifies the browser's answer to the creation options and stores the passkey. */
    async register (claims: AccessClaims, response: RegistrationResponseJSON, name: string | undefined, meta: ClientMeta): Promise<PasskeyView> {
      const userId = new Types.ObjectId(claims.sub)
      const challenge = challengeOf(response.response.clientDataJSON)
      const open = challenge === null ? null : await consume({ challenge, purpose: 'register', userId })
      if (!open) throw new PasskeyRegistrationFailedError()
      let info
      try {
        const result = await verifyRegistrationResponse({
          response, expectedChallenge: open.challenge, expectedOrigin: opts.origins, expectedRPID: opts.rpId, requireUserVerification: false
        })
        if (!result.verified) throw new Error('not verified')
        info = result.registrationInfo
      } catch {
        throw new PasskeyRegistrationFailedError()
      }
      const { credential } = info
      let stored: PasskeyFields
      try {
        stored = (await passkeys.create({
          _id: passkeyKey(credential.id),
          userId,
          credentialId: credential.id,
          publicKey: Buffer.from(credential.publicKey).toString('base64url'),
          counter: credential.counter,
          transports: credential.transports ?? [],
          backupEligible: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
          name: name?.trim() || 'Passkey'
        })).toObject()
      } catch (err) {
        // Registered already (this user's, or someone's): the browser should have excluded it.
        if (isDuplicateKey(err)) throw new PasskeyRegistrationFailedError()
        throw err
      }
      await audit.record('passkey.added', { userId: claims.sub, sessionId: claims.sid, meta, detail: { passkeyId: stored._id.toHexString() } })
      const user = await users.readProfile(claims.sub)
      if (user) await opts.outbox.enqueue(user.email, templates.passkeyAdded(opts.appName, stored.name))
      return view(stored)
    },

    /**
     * Request options for a sign-in with any passkey of this site (no email asked), or with
     * `userId`, for that signed-in user's re-authentication: their passkeys only.
     */
    async loginOptions (userId?: string): Promise<{ challengeId: string, options: PublicKeyCredentialRequestOptionsJSON }> {
      const owner = userId === undefined ? null : new Types.ObjectId(userId)
      const own = owner && await passkeys.find({ userId: owner }, { credentialId: 1, transports: 1 }).lean()
      const options = await generateAuthenticationOptions({
        rpID: opts.rpId,
        userVerification: 'preferred',
        timeout: CHALLENGE_MS,
        ...(own && { allowCredentials: own.map(p => ({ id: p.credentialId, transports: p.transports })) })
      })
      const challenge = await newChallenge(options.challenge, 'login', owner)
      return { challengeId: challenge._id.toHexString(), options }
    },

    /**
     * Verifies an assertion: the challenge (used once), origin, RP id, signature, and the
     * signature counter. The user it signs in, and whether the authenticator verified the user
     * (a PIN or biometric: then it counts as two factors).
     */
    async login (challengeId: string, response: AuthenticationResponseJSON, meta: ClientMeta): Promise<{ userId: string, userVerified: boolean }> {
      const open = await consume({ _id: new Types.ObjectId(challengeId), purpose: 'login' })
      const passkey = open && await passkeys.findById(passkeyKey(response.id)).lean()
      if (!open || !passkey || passkey.credentialId !== response.id) throw new PasskeyLoginFailedError()
      // A challenge opened for one user's re-authentication takes only that user's passkeys.
      if (open.userId && !open.userId.equals(passkey.userId)) throw new PasskeyLoginFailedError()
      // A discoverable credential names its user; it must be the one it was registered for.
      const handle = response.response.userHandle
      if (handle !== undefined && handle !== Buffer.from(passkey.userId.id).toString('base64url')) throw new PasskeyLoginFailedError()
      let info
      try {
        const result = await verifyAuthenticationResponse({
          response,
          expectedChallenge: open.challenge,
          expectedOrigin: opts.origins,
          expectedRPID: opts.rpId,
          // The counter is checked below, where a regression can be audited.
          credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: 0, transports: passkey.transports },
          requireUserVerification: false
        })
        // A bad signature is `verified: false`, not an exception.
        if (!result.verified) throw new Error('not verified')
        info = result.authenticationInfo
      } catch {
        throw new PasskeyLoginFailedError()
      }
      const userId = passkey.userId.toHexString()
      const event = { userId, meta, detail: { passkeyId: passkey._id.toHexString() } }
      // Most synced passkeys keep the counter at 0. One that goes backwards from a non-zero value
      // is a sign of a cloned authenticator: refused, audited, and never stored lower.
      if ((info.newCounter > 0 || passkey.counter > 0) && info.newCounter <= passkey.counter) {
        await audit.record('passkey.counter_regression', { ...event, detail: { ...event.detail, stored: passkey.counter, presented: info.newCounter } })
        throw new PasskeyLoginFailedError()
      }
      // BE is fixed for the life of a credential: a change means it is not the same authenticator.
      if ((info.credentialDeviceType === 'multiDevice') !== passkey.backupEligible) throw new PasskeyLoginFailedError()
      const won = await passkeys.updateOne(
        { _id: passkey._id, counter: passkey.counter },
        { $set: { counter: info.newCounter, backedUp: info.credentialBackedUp, lastUsedAt: now() } }
      )
      // Two uses racing with one counter value: one wins.
      if (won.matchedCount !== 1) throw new PasskeyLoginFailedError()
      if (!(await users.exists(passkey.userId))) throw new PasskeyLoginFailedError()
      await audit.record('passkey.used', event)
      return { userId, userVerified: info.userVerified }
    },

    async list (userId: string): Promise<PasskeyView[]> {
      const found = await passkeys.find({ userId: new Types.ObjectId(userId) }).sort({ createdAt: 1, _id: 1 }).lean<PasskeyFields[]>()
      return found.map(view)
    },

    async rename (userId: string, id: string, name: string): Promise<PasskeyView> {
      const renamed = await passkeys.findOneAndUpdate(owned(userId, id), { $set: { name: name.trim() } }, { returnDocument: 'after' }).lean()
      if (!renamed) throw new PasskeyNotFoundError()
      return view(renamed)
    },

    /** Removes a passkey, unless it is the user's last way to sign in. */
    async remove (userId: string, id: string, meta: ClientMeta): Promise<void> {
      const filter = owned(userId, id)
      await opts.loginMethods.removeUnlessLast(
        filter.userId,
        () => passkeys.findOneAndDelete(filter).lean(),
        passkey => passkeys.create(passkey),
        () => new PasskeyNotFoundError()
      )
      await audit.record('passkey.removed', { userId, meta, detail: { passkeyId: id } })
    }
  }
}

export type PasskeyService = ReturnType<typeof createPasskeyService>
