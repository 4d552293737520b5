import { describe, expect, it } from 'vitest'
import { daysBetween, isDay, periodStart } from '../../src/quota/periods.js'

describe('quota periods (UTC)', () => {
  it('start on the day, the Monday of the ISO week, or the 1st of the month', () => {
    expect(periodStart('DAY', '2026-11-24')).toBe('2026-11-24')
    expect(periodStart('WEEK', '2026-11-24')).toBe('2026-11-23') // a Tuesday
    expect(periodStart('WEEK', '2026-11-23')).toBe('2026-11-23') // a Monday
    expect(periodStart('WEEK', '2026-11-22')).toBe('2026-11-16') // a Sunday
    expect(periodStart('WEEK', '2027-01-02')).toBe('2026-12-28') // across a year
    expect(periodStart('MONTH', '2026-02-28')).toBe('2026-02-01')
  })

  it('walks days across months and refuses dates that do not exist', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ])
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([])
    expect(isDay('2026-02-28')).toBe(true)
    expect(isDay('2026-02-30')).toBe(false)
    expect(isDay('2026-2-3')).toBe(false)
  })
})
