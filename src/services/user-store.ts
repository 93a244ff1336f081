import { LRUCache } from 'lru-cache'
import { Types } from 'mongoose'
import type { UserDocument, UserFields, UserModel } from '../../models/user.js'
import { RefreshConflictError } from '../errors.js'
import type { SessionRecord } from '../lib/sessions.js'

export interface Write {
  sessions?: SessionRecord[]
  email?: string
  emailVerified?: boolean
  passwordHash?: string
  roles?: string[]
  name?: string
  disabledAt?: Date | null
  /** Invalidates every access token issued so far on routes that check it (sensitive ones). */
  bumpTokenVersion?: boolean
}

export interface Step<T> {
  result: T
  /** Omitted: nothing to write, `result` is returned as is. */
  write?: Write
}

export type StepFn<T> = (user: UserDocument, sessions: SessionRecord[], now: Date) => Step<T>

/** A user as stored: a lean read, plain objects only. */
export type StoredUser = UserFields & { _id: Types.ObjectId }

/** What a profile is made of: no sessions; the password hash only to say whether there is one. */
export type UserProfile = Pick<StoredUser, '_id' | 'email' | 'emailVerified' | 'name' | 'roles' | 'createdAt' | 'passwordHash'>
/** What the admin API shows of a user: the profile and whether the account is disabled. */
export type AdminProfile = UserProfile & Pick<StoredUser, 'disabledAt'>
/** What registration stores; the model fills in the rest (no sessions yet, version 0). */
export type NewUser = Pick<StoredUser, '_id' | 'email' | 'emailVerified' | 'name' | 'passwordHash' | 'roles'>
/** What the session check and the session list need of a user. */
export type SessionState = Pick<StoredUser, '_id' | 'sessions' | 'tokenVersion'>

/** The fields to fetch for a `T` (`_id` comes anyway); the compiler keeps the two in step. */
type Projection<T> = Record<Exclude<keyof T, '_id'>, 1>
const PROFILE_FIELDS: Projection<UserProfile> = { email: 1, emailVerified: 1, name: 1, roles: 1, createdAt: 1, passwordHash: 1 }
const ADMIN_PROFILE_FIELDS: Projection<AdminProfile> = { ...PROFILE_FIELDS, disabledAt: 1 }
const SESSION_STATE_FIELDS: Projection<SessionState> = { sessions: 1, tokenVersion: 1 }

/** The filter for emails that start with `prefix`, a literal (regular-expression characters escaped). */
const byEmailPrefix = (prefix?: string) =>
  prefix ? { email: { $regex: `^${prefix.trim().toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` } } : {}

/** Optimistic-concurrency retries for one write; contention is per user. */
const CAS_ATTEMPTS = 10

/** What a hint (a state of the user not read just now) settles: a result, or nothing yet. */
const UNSETTLED = Symbol('unsettled')

export interface UserStoreOptions {
  /**
   * Memory, in approximate bytes, for the users' last known states (least recently used dropped
   * first); 0, the default, keeps none. 16 MiB holds ~8,000 users with two sessions each.
   */
  recentUsersBytes?: number
}

export interface UpdateOptions {
  /** The error to throw when the user does not exist. */
  missing: () => Error
  /**
   * Saves the first read: a lean read the caller already holds (checked against, say, a
   * password), or `'recent'` for this store's last known state of the user.
   */
  hint?: StoredUser | 'recent'
}

/** An upper estimate of a lean user's heap size: strings count two bytes a character. */
function approximateBytes (user: StoredUser): number {
  let bytes = 512 + 2 * (user.email.length + user.name.length) + 64 * user.roles.length
  for (const s of user.sessions) bytes += 512 + 2 * s.userAgent.length
  return bytes
}

/**
 * The only code that reads or writes the users collection. The app's services share one store,
 * so that every write updates the last known states a `'recent'` hint decides on.
 */
export function createUserStore (users: UserModel, opts: UserStoreOptions = {}) {
  const recent = opts.recentUsersBytes
    ? new LRUCache<string, StoredUser>({ maxSize: opts.recentUsersBytes, sizeCalculation: approximateBytes })
    : undefined
  /**
   * Remembers the user as stored now, minus the password hash, which no caller of a hint needs.
   * Frozen, sessions included: the next update decides on this very state, and its CAS proves
   * only that nobody else wrote, not that no step changed it in place.
   */
  const remember = (user: StoredUser) => recent?.set(user._id.toHexString(), Object.freeze({
    ...user,
    passwordHash: '',
    roles: Object.freeze(user.roles) as string[],
    sessions: Object.freeze(user.sessions.map(s => Object.freeze(s))) as SessionRecord[]
  }))

  /**
   * Lets `step` decide on `raw` and writes its decision if `rev` still holds. `hinted`: `raw` is
   * not a read made just now, so only a write that lands settles anything; a step that writes
   * nothing or throws is left for a fresh read to decide.
   */
  async function decide<T> (raw: StoredUser, step: StepFn<T>, hinted: boolean): Promise<T | typeof UNSETTLED> {
    // Hydrate only the scalar fields (for the model's token methods): the sessions stay plain
    // objects, which the pure session functions spread and compare. Hydrating them as
    // subdocuments and copying them back was most of the refresh path's mongoose time.
    const { sessions, ...fields } = raw
    const user = users.hydrate(fields)
    const now = new Date()
    let decision: Step<T>
    try {
      decision = step(user, sessions, now)
    } catch (err) {
      if (hinted) return UNSETTLED
      throw err
    }
    const { result, write } = decision
    if (!write) return hinted ? UNSETTLED : result
    const { bumpTokenVersion, ...set } = write
    const inc = { rev: 1, tokenVersion: bumpTokenVersion ? 1 : 0 }
    // Through the driver, not mongoose's update casting: `set` is typed and built by our own
    // pure functions, and casting a whole sessions array costs several times the write itself.
    const written = await users.collection.updateOne(
      { _id: raw._id, rev: raw.rev },
      { $set: { ...set, updatedAt: now }, $inc: inc }
    )
    if (written.matchedCount !== 1) return UNSETTLED
    // What the write left: the same $set and $inc, applied to the state the CAS proved current.
    remember({ ...raw, ...set, updatedAt: now, rev: raw.rev + inc.rev, tokenVersion: raw.tokenVersion + inc.tokenVersion })
    return result
  }

  /** A lean read of a user (only `projection`'s fields, if given), or null for an unknown or malformed id. */
  const readFields = <T>(userId: string, projection?: Projection<T>) => Types.ObjectId.isValid(userId)
    ? users.collection.findOne<T>({ _id: new Types.ObjectId(userId) }, { projection })
    : Promise.resolve(null)

  return {
    /**
     * Creates a user through the model, so its schema validates and defaults the document. A
     * duplicate `_id` or email (where the database enforces it) rejects with code 11000.
     */
    async insert (fields: NewUser): Promise<UserProfile> {
      const { _id, email, emailVerified, name, roles, createdAt, passwordHash } = await users.create(fields)
      return { _id, email, emailVerified, name, roles: [...roles], createdAt, passwordHash }
    },

    async exists (userId: Types.ObjectId): Promise<boolean> {
      return (await users.exists({ _id: userId })) !== null
    },

    /**
     * Replaces the password hash only if it is still `expected` (a rehash to new parameters at
     * login). Leaves `rev` alone: the sessions, which the compare-and-swap guards, are unchanged.
     */
    async replacePasswordHash (userId: Types.ObjectId, expected: string, passwordHash: string): Promise<void> {
      await users.updateOne({ _id: userId, passwordHash: expected }, { $set: { passwordHash } })
    },

    /** Users whose email starts with `prefix` (normalized), or all users. */
    count (prefix?: string): Promise<number> {
      return users.countDocuments(byEmailPrefix(prefix)).exec()
    },

    /** Admins who can still sign in (not disabled), other than `except`. */
    countActiveAdmins (except?: Types.ObjectId): Promise<number> {
      return users.countDocuments({ roles: 'admin', disabledAt: null, ...(except && { _id: { $ne: except } }) }).exec()
    },

    /** Profiles of the admins, disabled or not, oldest first. */
    listAdmins (): Promise<AdminProfile[]> {
      return users.find({ roles: 'admin' }, ADMIN_PROFILE_FIELDS).sort({ createdAt: 1, _id: 1 }).lean<AdminProfile[]>().exec()
    },

    /** Deletes the user document; resolves to it as it was, or null if there was none. */
    async remove (userId: Types.ObjectId): Promise<StoredUser | null> {
      const user = await users.collection.findOneAndDelete({ _id: userId })
      recent?.delete(userId.toHexString())
      return user as StoredUser | null
    },

    /**
     * Undoes what a write took away (the admin role, the enabled state) without a CAS: for a
     * change found, after it landed, to have left no admin.
     */
    async restore (userId: Types.ObjectId, fields: { admin?: true, enabled?: true }): Promise<void> {
      await users.collection.updateOne({ _id: userId }, {
        ...(fields.admin && { $addToSet: { roles: 'admin' } }),
        $set: { updatedAt: new Date(), ...(fields.enabled && { disabledAt: null }) },
        $inc: { rev: 1 }
      })
      recent?.delete(userId.toHexString())
    },

    /** Lean read by (normalized) email, for login. */
    findByEmail (email: string): Promise<StoredUser | null> {
      return users.collection.findOne<StoredUser>({ email })
    },

    /**
     * The user's profile, or null for an unknown or malformed id: a lean read of its fields only,
     * without the sessions and the password hash (and without hydrating a mongoose document).
     */
    readProfile (userId: string): Promise<UserProfile | null> {
      return readFields<UserProfile>(userId, PROFILE_FIELDS)
    },

    /** A page of profiles and their disabled state, oldest account first (lean); `prefix`: of the email. */
    listProfiles (skip: number, limit: number, prefix?: string): Promise<AdminProfile[]> {
      return users.find(byEmailPrefix(prefix), ADMIN_PROFILE_FIELDS).sort({ createdAt: 1, _id: 1 }).skip(skip).limit(limit).lean<AdminProfile[]>().exec()
    },

    /** What a sign-in without a password decides on: whether the account is disabled, and its credentials' version; null for an unknown user. */
    readSignInState (userId: string): Promise<Pick<StoredUser, '_id' | 'disabledAt' | 'tokenVersion'> | null> {
      return readFields(userId, { disabledAt: 1, tokenVersion: 1 })
    },

    /** The user's sessions and token version, lean, or null: no password hash, no profile. */
    readSessionState (userId: string): Promise<SessionState | null> {
      return readFields<SessionState>(userId, SESSION_STATE_FIELDS)
    },

    /**
     * The whole user, lean, or null for an unknown or malformed id: for a caller that checks
     * something first and then passes this read to `update` as its hint.
     */
    read (userId: string): Promise<StoredUser | null> {
      return readFields<StoredUser>(userId)
    },

    /**
     * Lets `step` decide on the user and writes its decision only if nobody wrote in between
     * (compare-and-swap on `rev`, one single-document update replacing whole fields: atomic on
     * real MongoDB and on the embedded server, which ignores positional operators); otherwise
     * reads again and decides again. A hint may be stale, so only a write whose CAS lands settles
     * an update on it; any other outcome on a hint is decided again on a fresh read. A stale
     * hint costs a round trip, never a wrong answer.
     */
    async update<T> (userId: string, step: StepFn<T>, { missing, hint }: UpdateOptions): Promise<T> {
      if (!Types.ObjectId.isValid(userId)) throw missing()
      const hinted = hint === 'recent' ? recent?.get(userId) : hint
      if (hinted) {
        const result = await decide(hinted, step, true)
        if (result !== UNSETTLED) return result
      }
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const raw = await readFields<StoredUser>(userId)
        if (!raw) {
          recent?.delete(userId)
          throw missing()
        }
        remember(raw)
        const result = await decide(raw, step, false)
        if (result !== UNSETTLED) return result
      }
      throw new RefreshConflictError()
    }
  }
}

export type UserStore = ReturnType<typeof createUserStore>
