import { describe, expect, test } from 'vitest'

// A validator with nested quantifiers: fine on real addresses, catastrophic backtracking on a
// long almost-address. The kind of bug a fuzzed or user-supplied input finds.
const EMAIL = /^([a-zA-Z0-9]+[._-]?)+@example\.com$/

describe('email validation', () => {
  test('accepts a normal address', () => {
    expect(EMAIL.test('ada.lovelace@example.com')).toBe(true)
  })

  test('rejects a long address that is not one', () => {
    expect(EMAIL.test('a'.repeat(40) + '!')).toBe(false)
  })

  test('rejects an empty string', () => {
    expect(EMAIL.test('')).toBe(false)
  })
})
