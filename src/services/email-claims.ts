import type { Types } from 'mongoose'
import { emailKey, type EmailClaimModel } from '../../models/email-claim.js'
import { EmailTakenError } from '../errors.js'
import type { UserStore } from './user-store.js'

/** A claim without its user is a crashed registration; older than this, it may be taken over. */
const STALE_CLAIM_MS = 60_000

const isDuplicateKey = (err: unknown) => (err as { code?: unknown })?.code === 11000

/**
 * Who owns an email: a claim document whose `_id` is derived from the address, inserted before
 * the user (or the new address) is written. Duplicate `_id` is the one uniqueness every
 * MongoDB-wire server enforces, so the insert is the atomic "is this email free?" check.
 */
export function createEmailClaims (claims: EmailClaimModel, store: UserStore) {
  async function claim (email: string, userId: Types.ObjectId): Promise<void> {
    const _id = emailKey(email)
    try {
      await claims.create({ _id, userId })
      return
    } catch (err) {
      if (!isDuplicateKey(err)) throw err
    }
    const existing = await claims.findById(_id)
    const stale = existing && Date.now() - existing.createdAt.getTime() > STALE_CLAIM_MS &&
      !(await store.exists(existing.userId))
    if (!stale) throw new EmailTakenError()
    // Take over a crashed registration's claim, still atomically: only one deleter wins.
    const removed = await claims.findOneAndDelete({ _id, userId: existing.userId })
    if (!removed) throw new EmailTakenError()
    return claim(email, userId)
  }

  return {
    /** Claims `email` for `userId`; EmailTakenError when another user holds it. */
    claim,

    /** Gives the address up, if `userId` holds it. */
    async release (email: string, userId: Types.ObjectId): Promise<void> {
      await claims.deleteOne({ _id: emailKey(email), userId })
    },

    /** Whether someone holds the address (a claim, live or not). */
    async isTaken (email: string): Promise<boolean> {
      return (await claims.exists({ _id: emailKey(email) })) !== null
    }
  }
}

export type EmailClaims = ReturnType<typeof createEmailClaims>
