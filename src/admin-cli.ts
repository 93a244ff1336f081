import mongoose from 'mongoose'
import { bindAuditEventModel } from '../models/audit-event.js'
import { bindUserModel } from '../models/user.js'
import { LastAdminError } from './errors.js'
import type { TokenSigner } from './lib/tokens.js'
import { createAuditLog } from './services/audit-log.js'
import { normalizeEmail, type ClientMeta } from './services/auth-service.js'
import { createRoles } from './services/roles.js'
import { createUserStore } from './services/user-store.js'

export const USAGE = `Usage: npm run admin -- <command>   (in production: node dist/src/cli.js <command>)

Commands:
  grant-admin <email>    give the user the admin role
  revoke-admin <email>   take it away (refused for the last active admin)
  list-admins            every user with the admin role

Reads MONGO_URL: the database the server uses.`

/** Where the tool writes: stdout for results, stderr for refusals. */
export interface CliOutput {
  out: (line: string) => void
  err: (line: string) => void
}

/** The audit log's client for changes made by this tool. */
const CLI_META: ClientMeta = { ip: '', userAgent: 'admin-cli' }

function refuse (): never {
  throw new Error('the admin tool issues no tokens')
}

/** The tool issues no tokens: the user model's token methods must never run here. */
export const NO_TOKENS: TokenSigner = { accessToken: refuse, refreshToken: refuse }

/**
 * Runs one command of the admin tool against the database at `mongoUrl`; resolves to the exit
 * code (0 done, 1 refused or failed, 2 bad usage). Bootstraps admins in production without
 * touching the database by hand; the same last-admin rule as the API applies.
 */
export async function runAdminCli (argv: string[], mongoUrl: string | undefined, io: CliOutput): Promise<number> {
  const [command, email, ...rest] = argv
  const needsEmail = command === 'grant-admin' || command === 'revoke-admin'
  if (!(needsEmail || command === 'list-admins') || (needsEmail && (!email || rest.length > 0)) || (!needsEmail && email !== undefined)) {
    io.err(USAGE)
    return 2
  }
  if (!mongoUrl) {
    io.err('MONGO_URL is required: the database the server uses (the embedded one lives inside the server process and cannot be reached).')
    return 1
  }
  /** One line for what went wrong; no stack trace: the tool's user fixes a URL or a database, not code. */
  const failed = (err: unknown) => {
    io.err(`Failed: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
  let connection: mongoose.Connection
  try {
    // The server manages the indexes; this tool creates none.
    connection = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 10_000, autoIndex: false }).asPromise()
  } catch (err) {
    return failed(err)
  }
  try {
    const users = createUserStore(bindUserModel(connection, NO_TOKENS))
    // The retention only shapes the server's TTL index and reads, which this tool does not do.
    const audit = createAuditLog(bindAuditEventModel(connection, 3650), 3650, failed, () => {})
    const roles = createRoles({ users, audit })
    if (command === 'list-admins') {
      const admins = await roles.listAdmins()
      for (const a of admins) io.out(`${a.email}\t${a.id}${a.disabled ? '\tdisabled' : ''}`)
      if (admins.length === 0) io.out('No admins yet: npm run admin -- grant-admin <email>')
      return 0
    }
    const user = await users.findByEmail(normalizeEmail(email!))
    if (!user) {
      io.err(`No user with the email ${email}: they register first.`)
      return 1
    }
    const id = user._id.toHexString()
    const next = command === 'grant-admin' ? [...user.roles, 'admin'] : user.roles.filter(r => r !== 'admin')
    try {
      await roles.setRoles(id, next, CLI_META, null, 'admin-cli')
    } catch (err) {
      if (!(err instanceof LastAdminError)) return failed(err)
      io.err(`Refused: ${user.email} is the last active admin. Grant admin to someone else first.`)
      return 1
    }
    io.out(command === 'grant-admin'
      ? `${user.email} is an admin (effective at their next sign-in or refresh).`
      : `${user.email} is no longer an admin.`)
    return 0
  } finally {
    await connection.close()
  }
}
