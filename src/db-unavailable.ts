import mongoose from 'mongoose'

const { MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError, MongoTopologyClosedError } = mongoose.mongo

/**
 * True for the driver's (and mongoose's connect-time) errors that mean "the database cannot be reached now" (no server to
 * select, a dropped connection, a closed client), as opposed to a refused or invalid operation:
 * those are worth a 503 and a retry, never a 500.
 */
export function isDatabaseUnavailable (err: unknown): boolean {
  return err instanceof MongoNetworkError || err instanceof MongoServerSelectionError || err instanceof mongoose.Error.MongooseServerSelectionError ||
    err instanceof MongoNotConnectedError || err instanceof MongoTopologyClosedError
}
