import type { Types } from 'mongoose'
import type { IdentityModel } from '../../models/identity.js'
import type { PasskeyModel } from '../../models/passkey.js'
import { LastLoginMethodError, type ReauthMethod } from '../errors.js'
import type { UserStore } from './user-store.js'

const isDuplicateKey = (err: unknown) => (err as { code?: unknown })?.code === 11000

/** The ways a user signs in: a password, linked identities, passkeys. None may remove the last. */
export function createLoginMethods (opts: { users: UserStore, identities: IdentityModel, passkeys: PasskeyModel, isMfaEnabled: (userId: Types.ObjectId) => Promise<boolean> }) {
  async function hasAny (userId: Types.ObjectId): Promise<boolean> {
    const user = await opts.users.read(userId.toHexString())
    if (!user) return false
    if (user.passwordHash !== null) return true
    const [identity, passkey] = await Promise.all([opts.identities.exists({ userId }), opts.passkeys.exists({ userId })])
    return identity !== null || passkey !== null
  }

  return {
    /** How the user can prove again that it is them: by each way they have to sign in. */
    async reauthMethods (userId: Types.ObjectId, hasPassword: boolean): Promise<ReauthMethod[]> {
      const [mfa, passkey, identity] = await Promise.all([opts.isMfaEnabled(userId), opts.passkeys.exists({ userId }), opts.identities.exists({ userId })])
      const methods: ReauthMethod[] = []
      if (hasPassword) methods.push('password')
      if (mfa) methods.push('totp', 'recovery_code')
      if (passkey) methods.push('passkey')
      if (identity) methods.push('provider')
      return methods
    },

    /**
     * Removes one way to sign in (`remove` resolves to what it removed, or null: `notFound`),
     * unless none is left afterwards: then `restore` puts it back and the answer is
     * AUTH_LAST_LOGIN_METHOD. Removed first and checked after, so two racing removals can both
     * fail, never both succeed.
     */
    async removeUnlessLast<T> (userId: Types.ObjectId, remove: () => Promise<T | null>, restore: (removed: T) => Promise<unknown>, notFound: () => Error): Promise<T> {
      const removed = await remove()
      if (removed === null) throw notFound()
      if (!(await hasAny(userId))) {
        await restore(removed).catch((err: unknown) => { if (!isDuplicateKey(err)) throw err })
        throw new LastLoginMethodError()
      }
      return removed
    }
  }
}

export type LoginMethods = ReturnType<typeof createLoginMethods>
