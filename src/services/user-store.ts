import { Types } from 'mongoose'
import type { UserDocument, UserFields, UserModel } from '../../models/user.js'
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

/** A user as stored: a lean read, plain objects only. */
export type StoredUser = UserFields & { _id: Types.ObjectId }

/** Optimistic-concurrency retries for one write; contention is per user. */
const CAS_ATTEMPTS = 10

export function createUserStore (users: UserModel) {
  return {
    /** Lean read by (normalized) email, for login. */
    findByEmail (email: string): Promise<StoredUser | null> {
      return users.collection.findOne<StoredUser>({ email })
    },

    /** The user, or null for an unknown or malformed id. */
    read (userId: string): Promise<UserDocument | null> {
      return Types.ObjectId.isValid(userId) ? users.findById(userId) : Promise.resolve(null)
    },

    /**
     * Reads the user, lets `step` decide, and writes only if nobody else wrote in between
     * (compare-and-swap on `rev`); otherwise re-reads and decides again. One conditional
     * single-document update replacing the whole sessions array: atomic on real MongoDB and on
     * the embedded server, with no positional operators (which the embedded server ignores).
     * Returns `missing()`'s error when the user does not exist. `snapshot`, a lean read the caller
     * already holds, saves the first read (a stale one just costs a retry).
     */
    async update<T> (
      userId: string,
      missing: () => Error,
      step: (user: UserDocument, sessions: SessionRecord[], now: Date) => Step<T>,
      snapshot?: StoredUser
    ): Promise<T> {
      if (!Types.ObjectId.isValid(userId)) throw missing()
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        // Read lean and hydrate only the scalar fields (for the model's token methods): the
        // sessions stay plain objects, which the pure session functions spread and compare.
        // Hydrating them as subdocuments and copying them back was most of the refresh path's
        // mongoose time; reading through the driver rather than a mongoose lean query saves
        // another ~9 % of the instructions per refresh (bench/README.md).
        const raw = attempt === 0 && snapshot ? snapshot : await users.collection.findOne<StoredUser>({ _id: new Types.ObjectId(userId) })
        if (!raw) throw missing()
        const { sessions, ...fields } = raw
        const user = users.hydrate(fields)
        const now = new Date()
        const { result, write } = step(user, sessions, now)
        if (!write) return result
        const { bumpTokenVersion, ...set } = write
        // Through the driver, not mongoose's update casting: `set` is typed and built by our own
        // pure functions, and casting a full sessions array (up to MAX_SESSIONS_PER_USER
        // subdocuments) cost 1.9 ms of CPU per write against 0.4 ms uncast (bench/README.md).
        const written = await users.collection.updateOne(
          { _id: raw._id, rev: raw.rev },
          { $set: { ...set, updatedAt: now }, $inc: { rev: 1, tokenVersion: bumpTokenVersion ? 1 : 0 } }
        )
        if (written.matchedCount === 1) return result
      }
      throw new RefreshConflictError()
    }
  }
}
