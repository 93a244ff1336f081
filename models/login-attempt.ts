import { Schema, type Connection, type Model, type Types } from 'mongoose'

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

export function bindLoginAttemptModel (connection: Connection): LoginAttemptModel {
  return connection.model<LoginAttemptFields>('LoginAttempt', loginAttemptSchema)
}
