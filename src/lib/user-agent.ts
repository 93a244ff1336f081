import Bowser from 'bowser'

/** What a session list shows of a device instead of its raw User-Agent. */
export interface DeviceDescription {
  /** "Chrome 131"; empty when the string names no browser (a script, an app's HTTP client). */
  browser: string
  /** "macOS 10.15", "iOS 17.5", "Windows 10"; empty when unknown. */
  os: string
  device: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'bot' | 'unknown'
}

const DEVICES = new Set(['desktop', 'mobile', 'tablet', 'tv', 'bot'])

/** The first `parts` dot-separated parts of a version. */
const shortVersion = (version: string | undefined, parts: number) => version ? version.split('.').slice(0, parts).join('.') : ''

const joined = (...words: string[]) => words.filter(Boolean).join(' ')

/** Parses a User-Agent (bowser) into the words a person recognizes; never throws. */
export function describeUserAgent (userAgent: string): DeviceDescription {
  if (!userAgent.trim()) return { browser: '', os: '', device: 'unknown' }
  const { browser, os, platform } = Bowser.parse(userAgent)
  const type = platform.type ?? ''
  return {
    browser: browser.name ? joined(browser.name, shortVersion(browser.version, 1)) : '',
    os: os.name ? joined(os.name, os.name === 'Windows' ? os.versionName ?? '' : shortVersion(os.version, 2)) : '',
    device: DEVICES.has(type) ? type as DeviceDescription['device'] : 'unknown'
  }
}
