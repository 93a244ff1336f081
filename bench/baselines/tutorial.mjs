// Baseline (b): COMPARISON TARGET ONLY, NOT FOR USE. Written the way the seed tutorials do it:
// Express, jsonwebtoken with a string secret, bcrypt cost 10, the raw refresh token stored on the
// user, and a read-modify-save() refresh. /users/me-keyobject is the same verify with the secret
// as a KeyObject (jsonwebtoken re-parses a string secret on every call), for a fair comparison.
import { createSecretKey } from 'node:crypto'
import bcrypt from 'bcrypt'
import express from 'express'
import jwt from 'jsonwebtoken'
import mongoose from 'mongoose'

const ACCESS_TOKEN_SECRET = 'tutorial-access-secret-0123456789abcdef'
const REFRESH_TOKEN_SECRET = 'tutorial-refresh-secret-0123456789abcdef'
const accessKey = createSecretKey(Buffer.from(ACCESS_TOKEN_SECRET))

await mongoose.connect(process.env.MONGO_URL)

const userSchema = new mongoose.Schema({
  email: { type: String, required: true, unique: true },
  password: { type: String, required: true },
  refreshToken: { type: String, default: null }
}, { timestamps: true })
userSchema.methods.generateAccessToken = function () {
  return jwt.sign({ _id: this._id, email: this.email }, ACCESS_TOKEN_SECRET, { expiresIn: '15m' })
}
userSchema.methods.generateRefreshToken = function () {
  return jwt.sign({ _id: this._id, n: Math.random() }, REFRESH_TOKEN_SECRET, { expiresIn: '7d' })
}
const User = mongoose.model('User', userSchema)

async function issue (user) {
  const accessToken = user.generateAccessToken()
  const refreshToken = user.generateRefreshToken()
  user.refreshToken = refreshToken
  await user.save()
  return { accessToken, refreshToken }
}

const app = express()
app.use(express.json())

app.post('/register', async (req, res) => {
  const password = await bcrypt.hash(req.body.password, 10)
  const user = await User.create({ email: req.body.email, password })
  res.status(201).json(await issue(user))
})

app.post('/login', async (req, res) => {
  const user = await User.findOne({ email: req.body.email })
  if (!user || !(await bcrypt.compare(req.body.password, user.password))) return res.status(401).json({ message: 'Invalid credentials' })
  res.json(await issue(user))
})

app.post('/refresh', async (req, res) => {
  try {
    const decoded = jwt.verify(req.body.refreshToken, REFRESH_TOKEN_SECRET)
    const user = await User.findById(decoded._id)
    if (!user || user.refreshToken !== req.body.refreshToken) return res.status(403).json({ message: 'Invalid refresh token' })
    res.json(await issue(user))
  } catch {
    res.status(403).json({ message: 'Invalid refresh token' })
  }
})

const auth = key => (req, res, next) => {
  const header = req.headers.authorization
  if (!header) return res.status(401).json({ message: 'No token provided' })
  try {
    req.user = jwt.verify(header.split(' ')[1], key)
    next()
  } catch {
    res.status(401).json({ message: 'Invalid token' })
  }
}
app.get('/auth/verify', auth(ACCESS_TOKEN_SECRET), (req, res) => res.json(req.user))
app.get('/auth/verify-keyobject', auth(accessKey), (req, res) => res.json(req.user))

app.listen(Number(process.env.PORT), '127.0.0.1')
