// What every bare-route baseline answers on /auth/verify: the shape of our verify answer, so the
// bare routes serialize and send what our server does.
export const VERIFIED = { userId: '6b0442661b7ba7fd0bc37eb6', sessionId: '0b37c35eb371ee156e994afd552e5781', roles: ['user'], amr: ['pwd'], aal: 'aal1', expiresAt: '2030-01-01T00:00:00.000Z' }
