import t from 'tap'
import { describeUserAgent } from '../../src/lib/user-agent.js'

t.test('user agents in the words a person recognizes', async t => {
  const cases: Array<[string, ReturnType<typeof describeUserAgent>]> = [
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { browser: 'Chrome 131', os: 'macOS 10.15', device: 'desktop' }],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', { browser: 'Microsoft Edge 131', os: 'Windows 10', device: 'desktop' }],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', { browser: 'Firefox 133', os: 'Linux', device: 'desktop' }],
    ['Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', { browser: 'Safari 17', os: 'iOS 17.5', device: 'tablet' }],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', { browser: 'Chrome 131', os: 'Android 14', device: 'mobile' }],
    ['Googlebot/2.1 (+http://www.google.com/bot.html)', { browser: 'Googlebot 2', os: '', device: 'bot' }],
    ['curl/8.5.0', { browser: '', os: '', device: 'unknown' }],
    ['', { browser: '', os: '', device: 'unknown' }],
    ['   ', { browser: '', os: '', device: 'unknown' }]
  ]
  for (const [ua, expected] of cases) t.same(describeUserAgent(ua), expected, ua || '(empty)')
})
