import { Schema, type Connection, type Model, type Types } from 'mongoose'
import { ATTEMPT_RECORD_TTL_MS } from '../src/lib/backoff.js'

/** Failed logins per email (whether or not an account exists); `_id` is emailKey(email). */
export interface LoginAttemptFields {
  _id: Types.ObjectId
  failures: number
  lastFailureAt: Date
  lockedUntil: Date | null
}

export type LoginAttemptModel = Model<LoginAttemptFields>

const loginAttemptSchema = new Schema<LoginAttemptFields>({
  _id: { type: Schema.Types.ObjectId, required: true },
  failures: { type: Number, default: 0 },
  lastFailureAt: { type: Date, required: true },
  lockedUntil: { type: Date, default: null }
}, { versionKey: false, collection: 'login_attempts' })
// Records of emails nobody tries again (sprayed guesses) would otherwise stay for good. TTL for real
// MongoDB; the embedded server ignores it, so LoginThrottle.prune also deletes them.
loginAttemptSchema.index({ lastFailureAt: 1 }, { expireAfterSeconds: ATTEMPT_RECORD_TTL_MS / 1000, name: 'lastFailureAt_ttl' })

export function bindLoginAttemptModel (connection: Connection): LoginAttemptModel {
  return connection.model<LoginAttemptFields>('LoginAttempt', loginAttemptSchema)
}
