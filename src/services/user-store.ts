import { Types } from 'mongoose'
import type { UserDocument, UserModel } from '../../models/user.js'
import { RefreshConflictError } from '../errors.js'
import type { SessionRecord } from '../lib/sessions.js'

export interface Write {
  sessions?: SessionRecord[]
  passwordHash?: string
  roles?: string[]
  /** Invalidates every access token issued so far on routes that check it (sensitive ones). */
  bumpTokenVersion?: boolean
}

export interface Step<T> {
  result: T
  /** Omitted: nothing to write, `result` is returned as is. */
  write?: Write
}

/** Optimistic-concurrency retries for one write; contention is per user. */
const CAS_ATTEMPTS = 10

export function createUserStore (users: UserModel) {
  return {
    /** The user, or null for an unknown or malformed id. */
    read (userId: string): Promise<UserDocument | null> {
      return Types.ObjectId.isValid(userId) ? users.findById(userId) : Promise.resolve(null)
    },

    /**
     * Reads the user, lets `step` decide, and writes only if nobody else wrote in between
     * (compare-and-swap on `rev`); otherwise re-reads and decides again. One conditional
     * single-document update replacing the whole sessions array: atomic on real MongoDB and on
     * the embedded server, with no positional operators (which the embedded server ignores).
     * Returns `missing()`'s error when the user does not exist.
     */
    async update<T> (
      userId: string,
      missing: () => Error,
      step: (user: UserDocument, sessions: SessionRecord[], now: Date) => Step<T>
    ): Promise<T> {
      if (!Types.ObjectId.isValid(userId)) throw missing()
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const user = await users.findById(userId)
        if (!user) throw missing()
        // Plain objects: the pure session functions spread and compare them.
        const { result, write } = step(user, user.toObject().sessions, new Date())
        if (!write) return result
        const { bumpTokenVersion, ...set } = write
        const written = await users.findOneAndUpdate(
          { _id: user._id, rev: user.rev },
          { $set: set, $inc: { rev: 1, tokenVersion: bumpTokenVersion ? 1 : 0 } },
          { projection: { _id: 1 } }
        )
        if (written) return result
      }
      throw new RefreshConflictError()
    }
  }
}
