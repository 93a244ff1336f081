import { LastAdminError, UserNotFoundError } from '../errors.js'
import type { AuditLog } from './audit-log.js'
import { toPublicUser, type ClientMeta, type PublicUser } from './auth-service.js'
import type { StoredUser, UserStore } from './user-store.js'

/** A user as the admin API and the command-line tool show one: the public user and whether the account is disabled. */
export interface AdminUserView extends PublicUser {
  disabled: boolean
}

/**
 * Roles, and the rule that some active admin (holding the role, not disabled) always remains.
 * Used by the admin API and by the command-line tool, which has nothing else of the app.
 */
export function createRoles ({ users, audit }: { users: UserStore, audit: AuditLog }) {
  const notFound = () => new UserNotFoundError()
  const isActiveAdmin = (user: Pick<StoredUser, 'roles' | 'disabledAt'>) => user.roles.includes('admin') && !user.disabledAt

  /**
   * Applies `change`, which may take `user` out of the active admins, unless that leaves none:
   * 409 AUTH_LAST_ADMIN. Checked before (no side effect in the common case) and again after the
   * change landed, when `undo` puts back what it took: of two admins removing each other at
   * once, both may fail, never both succeed.
   */
  async function keepingAnAdmin<T> (user: Pick<StoredUser, '_id' | 'roles' | 'disabledAt'>, change: () => Promise<T>, undo: () => Promise<void>): Promise<T> {
    if (!isActiveAdmin(user)) return change()
    if (await users.countActiveAdmins(user._id) === 0) throw new LastAdminError()
    const result = await change()
    if (await users.countActiveAdmins() === 0) {
      await undo()
      throw new LastAdminError()
    }
    return result
  }

  return {
    keepingAnAdmin,

    /**
     * Sets the roles (`user` is always kept); taking `admin` from the last active admin is 409
     * AUTH_LAST_ADMIN. Sensitive routes see the change at once (token version), others at the
     * next refresh. `actorId`: the admin who did it; null for the command-line tool.
     */
    async setRoles (userId: string, roles: string[], meta: ClientMeta, actorId: string | null, via?: string): Promise<PublicUser> {
      const unique = [...new Set(['user', ...roles])]
      const current = await users.read(userId)
      if (!current) throw notFound()
      const change = () => users.update(userId, fresh => ({ result: fresh, write: { roles: unique, bumpTokenVersion: true } }), { missing: notFound, hint: current })
      const before = unique.includes('admin')
        ? await change()
        : await keepingAnAdmin(current, change, () => users.restore(current._id, { admin: true }))
      await audit.record('roles.changed', { userId, actorId, meta, detail: { from: [...before.roles], to: unique, ...(via && { via }) } })
      return { ...toPublicUser(before), roles: unique }
    },

    /** Every user holding the admin role, disabled or not, oldest first. */
    async listAdmins (): Promise<AdminUserView[]> {
      return (await users.listAdmins()).map(p => ({ ...toPublicUser(p), disabled: Boolean(p.disabledAt) }))
    }
  }
}

export type Roles = ReturnType<typeof createRoles>
