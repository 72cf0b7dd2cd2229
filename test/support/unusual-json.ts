import type { Json } from '../../src/protocol/json';

/** Values whose JSON text is easy to get wrong by hand: escapes, odd keys, numbers, nesting. */
export const UNUSUAL_VALUES: Json[] = [
  { title: 'quote " backslash \\ slash / newline \n tab \t nul \u0000 bell \u0007 del \u007f' },
  { emoji: '\u{1F600}', cjk: '\u6f22\u5b57', lone: 'a\ud800b', trail: '\udc00', lineSep: '\u2028\u2029' },
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":1},"toString":"x"}') as Json,
  { b: 1, 2: 'two', a: 2, 1: 'one', '-1': 'minus', '01': 'lead', 4294967295: 'big index', '': 'empty key' },
  [1e21, 1e-7, -0.5, 0.1 + 0.2, Number.MAX_SAFE_INTEGER + 2, 5e-324, -1e308, 123456789012345680000],
  [[[[{ deep: [[], {}, [null, true, false]] }]]]],
  '',
  'plain string',
  0,
  -1.5,
  true,
  false,
  null,
  [],
  {},
];
