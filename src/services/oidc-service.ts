import { Types } from 'mongoose'
import { identityKey, type IdentityFields, type IdentityModel, type OidcTransactionModel } from '../../models/identity.js'
import {
  AccountLinkRequiredError, EmailTakenError, IdentityInUseError, IdentityNotFoundError, OidcEmailUnverifiedError,
  OidcProviderUnknownError, OidcStateInvalidError, OidcTokenInvalidError, SessionRevokedError
} from '../errors.js'
import { templates } from '../lib/mail-templates.js'
import type { OidcProviderConfig } from '../lib/oidc-providers.js'
import { deriveChecks, newTransactionSecret } from '../lib/oidc-transaction.js'
import { hashToken } from '../lib/tokens.js'
import type { AuditLog } from './audit-log.js'
import type { ClientMeta, NewAccount } from './auth-service.js'
import type { LoginMethods } from './login-methods.js'
import type { OidcClients, ProviderClaims } from './oidc-client.js'
import type { Outbox } from './outbox.js'
import type { UserProfile, UserStore } from './user-store.js'

/** A sign-in at a provider must come back within this. */
export const TRANSACTION_SECONDS = 600

export interface OidcServiceOptions {
  clients: OidcClients
  identities: IdentityModel
  transactions: OidcTransactionModel
  users: UserStore
  /** Creates an account (claiming its email), as registration does. */
  createAccount: (account: NewAccount) => Promise<UserProfile>
  loginMethods: LoginMethods
  audit: AuditLog
  outbox: Outbox
  appName: string
  now?: () => Date
}

export interface IdentityView {
  id: string
  provider: string
  email: string
  createdAt: string
}

/** How a callback ended; a failure carries the code the browser is sent back with. */
export type CallbackOutcome = { redirectTo: string } & (
  | { kind: 'signed-in', userId: string }
  | { kind: 'linked' }
  | { kind: 'failed', code: string }
)

/** The errors a callback reports to the browser (in the redirect) rather than as a response. */
const isClientError = (err: unknown): err is { code: string } => {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('AUTH_')
}

const isDuplicateKey = (err: unknown) => (err as { code?: unknown })?.code === 11000

/** "Continue with Google": transactions, the account rules, and linked identities. */
export function createOidcService (opts: OidcServiceOptions) {
  const { clients, identities, transactions, users, audit, outbox } = opts
  const now = opts.now ?? (() => new Date())

  function provider (id: string): OidcProviderConfig {
    const p = clients.get(id)
    if (!p) throw new OidcProviderUnknownError()
    return p
  }

  /** Links the identity to `userId`; AUTH_IDENTITY_IN_USE when another user holds it. */
  async function link (userId: Types.ObjectId, p: OidcProviderConfig, claims: ProviderClaims, meta: ClientMeta, via: 'email' | 'user'): Promise<void> {
    const _id = identityKey(claims.issuer, claims.subject)
    try {
      await identities.create({ _id, userId, provider: p.id, issuer: claims.issuer, subject: claims.subject, email: claims.email ?? '' })
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
      const holder = await identities.findById(_id).lean()
      if (holder?.userId.equals(userId)) return
      throw new IdentityInUseError()
    }
    await audit.record('identity.linked', { userId: userId.toHexString(), meta, detail: { provider: p.id, via } })
    const user = await users.readProfile(userId.toHexString())
    if (user) await outbox.enqueue(user.email, templates.identityLinked(opts.appName, p.name, claims.email ?? ''))
  }

  /**
   * The account rules, in order: a linked identity signs its user in; otherwise the provider must
   * vouch for the email; no account with it → a new one; a verified one → linked; an unverified
   * one → AUTH_ACCOUNT_LINK_REQUIRED (whoever registered it may not own the address: linking
   * would hand the account to them, or keep their password alive in the owner's account).
   */
  async function resolveUser (p: OidcProviderConfig, claims: ProviderClaims, meta: ClientMeta): Promise<string> {
    const _id = identityKey(claims.issuer, claims.subject)
    const linked = await identities.findOneAndUpdate({ _id }, { $set: { lastUsedAt: now() } }).lean()
    if (linked) {
      if (await users.exists(linked.userId)) return linked.userId.toHexString()
      // Its user is gone: the identity is free again.
      await identities.deleteOne({ _id, userId: linked.userId })
    }
    if (!claims.emailVerified || !claims.email) throw new OidcEmailUnverifiedError()
    const local = await users.findByEmail(claims.email)
    if (local) {
      if (local.emailVerified !== true) throw new AccountLinkRequiredError()
      await link(local._id, p, claims, meta, 'email')
      return local._id.toHexString()
    }
    let created: UserProfile
    try {
      created = await opts.createAccount({ email: claims.email, name: claims.name, passwordHash: null, emailVerified: true })
    } catch (err) {
      // Someone took the address meanwhile: perhaps this very identity, in a parallel tab.
      if (!(err instanceof EmailTakenError)) throw err
      const raced = await identities.findById(_id).lean()
      if (raced) return raced.userId.toHexString()
      throw new AccountLinkRequiredError()
    }
    await link(created._id, p, claims, meta, 'email')
    return created._id.toHexString()
  }

  return {
    providers: () => clients.list(),

    /**
     * Opens a sign-in (or, with `link`, a link for that user at their credentials' version) at
     * the provider: the URL to send the browser to, and the transaction secret for its cookie.
     */
    async start (providerId: string, redirectTo: string, link?: { userId: string, tokenVersion: number }): Promise<{ url: string, secret: string }> {
      const p = provider(providerId)
      const secret = newTransactionSecret()
      const url = await clients.authorizationUrl(p, deriveChecks(secret))
      await transactions.create({
        secretHash: hashToken(secret),
        provider: p.id,
        redirectTo,
        linkUserId: link ? new Types.ObjectId(link.userId) : null,
        linkTokenVersion: link?.tokenVersion ?? null,
        expiresAt: new Date(now().getTime() + TRANSACTION_SECONDS * 1000)
      })
      return { url: url.href, secret }
    },

    /**
     * The provider's answer. The transaction cookie's secret must name an open transaction of
     * this provider (which is then used up) whose state the answer carries; the code is then
     * exchanged and the ID token checked, and the account rules pick the user.
     * `search`: the callback's query string, as received.
     */
    async complete (providerId: string, secret: string | undefined, search: string, meta: ClientMeta): Promise<CallbackOutcome> {
      const p = provider(providerId)
      const stateInvalid = (redirectTo: string): CallbackOutcome => ({ kind: 'failed', code: new OidcStateInvalidError().code, redirectTo })
      if (!secret) return stateInvalid('/')
      const secretHash = hashToken(secret)
      const at = now()
      const tx = await transactions.findOneAndUpdate(
        { secretHash, provider: p.id, usedAt: null, expiresAt: { $gt: at } },
        { $set: { usedAt: at } },
        { returnDocument: 'after' }
      ).lean()
      if (!tx) {
        // Replayed, expired, or another provider's: back where that sign-in meant to go, if known.
        const known = await transactions.findOne({ secretHash }).lean()
        return stateInvalid(known?.redirectTo ?? '/')
      }
      const checks = deriveChecks(secret)
      if (new URLSearchParams(search).get('state') !== checks.state) return stateInvalid(tx.redirectTo)
      try {
        const claims = await clients.exchange(p, search, checks)
        if (tx.linkUserId) {
          // A link started before a password change or "log out everywhere" dies with the sessions.
          const state = await users.readSessionState(tx.linkUserId.toHexString())
          if (state?.tokenVersion !== tx.linkTokenVersion) throw new SessionRevokedError()
          await link(tx.linkUserId, p, claims, meta, 'user')
          return { kind: 'linked', redirectTo: tx.redirectTo }
        }
        return { kind: 'signed-in', userId: await resolveUser(p, claims, meta), redirectTo: tx.redirectTo }
      } catch (err) {
        if (isClientError(err)) return { kind: 'failed', code: err.code, redirectTo: tx.redirectTo }
        throw err
      }
    },

    /**
     * The user an ID token from the platform's sign-in (mobile apps) stands for, by the same
     * rules. Each token signs in once: its hash is kept, as a used transaction, until it expires,
     * so a token that leaked (a log, a proxy) cannot start another session.
     */
    async resolveIdToken (providerId: string, idToken: string, nonce: string | undefined, meta: ClientMeta): Promise<string> {
      const p = provider(providerId)
      const claims = await clients.verifyIdToken(p, idToken, nonce)
      const at = now()
      const earlier = await transactions.findOneAndUpdate(
        { secretHash: hashToken(idToken) },
        { $setOnInsert: { provider: p.id, redirectTo: '/', linkUserId: null, expiresAt: claims.expiresAt ?? at, usedAt: at } },
        { upsert: true, returnDocument: 'before' }
      ).lean()
      if (earlier) throw new OidcTokenInvalidError()
      return resolveUser(p, claims, meta)
    },

    async list (userId: string): Promise<IdentityView[]> {
      const found = await identities.find({ userId: new Types.ObjectId(userId) }).sort({ createdAt: 1, _id: 1 }).lean<IdentityFields[]>()
      return found.map(i => ({ id: i._id.toHexString(), provider: i.provider, email: i.email, createdAt: i.createdAt.toISOString() }))
    },

    /** Unlinks one of the user's identities, unless that leaves no way to sign in. */
    async unlink (userId: string, identityId: string, meta: ClientMeta): Promise<void> {
      const owner = new Types.ObjectId(userId)
      const removed = await opts.loginMethods.removeUnlessLast(
        owner,
        () => identities.findOneAndDelete({ _id: new Types.ObjectId(identityId), userId: owner }).lean(),
        identity => identities.create(identity),
        () => new IdentityNotFoundError()
      )
      await audit.record('identity.unlinked', { userId, meta, detail: { provider: removed.provider } })
    }
  }
}

export type OidcService = ReturnType<typeof createOidcService>
