import type { Types } from 'mongoose'
import type { OneTimeTokenFields, OneTimeTokenModel } from '../../models/one-time-token.js'
import { isOneTimeTokenShape, newOneTimeToken, type OneTimePurpose } from '../lib/one-time-tokens.js'
import { hashToken } from '../lib/tokens.js'

/**
 * Password-reset, verification and email-change tokens: only the SHA-256 is stored, each is
 * consumed by one compare-and-swap (unused, unexpired, right purpose), so of two racing requests
 * only one wins.
 */
export function createOneTimeTokens (model: OneTimeTokenModel) {
  return {
    /** A new token for `userId`, proving `email`, valid for `ttlSeconds`. */
    async issue (purpose: OneTimePurpose, userId: Types.ObjectId, email: string, ttlSeconds: number, { accountUnverified = false } = {}): Promise<string> {
      const token = newOneTimeToken()
      await model.create({ tokenHash: hashToken(token), purpose, userId, email, accountUnverified, expiresAt: new Date(Date.now() + ttlSeconds * 1000) })
      return token
    },

    /** Marks the token used and returns what it was issued for; null if unknown, used, voided, expired or of another purpose. */
    async consume (token: string, purposes: readonly OneTimePurpose[], now = new Date()): Promise<OneTimeTokenFields | null> {
      if (!isOneTimeTokenShape(token)) return null
      return model.findOneAndUpdate(
        { tokenHash: hashToken(token), purpose: { $in: purposes }, usedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'after' }
      ).lean()
    },

    /** Voids every outstanding token of the user (after a reset, a password change, a token used). */
    async voidAll (userId: Types.ObjectId, now = new Date()): Promise<void> {
      await model.updateMany({ userId, usedAt: null }, { $set: { usedAt: now } })
    },

  }
}

export type OneTimeTokens = ReturnType<typeof createOneTimeTokens>
