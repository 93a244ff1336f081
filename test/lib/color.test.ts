import t from 'tap'
import { contrastRatio } from '../../src/lib/color.js'

t.test('WCAG contrast ratios', async t => {
  t.equal(contrastRatio('#000000', '#ffffff'), 21)
  t.equal(contrastRatio('#ffffff', '#000000'), 21, 'in either order')
  t.equal(contrastRatio('#2456c7', '#2456c7'), 1)
  t.equal(Number(contrastRatio('#767676', '#ffffff').toFixed(2)), 4.54, 'the classic grey that just passes AA')
  t.ok(contrastRatio('#ffff00', '#ffffff') < 1.1)
})
