import { Matches } from 'class-validator';

/**
 * At least one character a person can see. `\S` alone lets through titles that render blank:
 * format characters (U+200B zero-width space, U+00AD soft hyphen, U+FEFF), control characters
 * (a lone NUL), and the "blank" letters and symbols U+2800 (Braille blank), U+3164, U+115F, U+1160
 * and U+FFA0 (Hangul fillers).
 */
const VISIBLE_CHARACTER = /[^\s\p{Cc}\p{Cf}\p{Z}\u2800\u3164\u115F\u1160\uFFA0]/u;

/** Refuses a title that would render as an empty row. */
export const VisibleTitle = (): PropertyDecorator => Matches(VISIBLE_CHARACTER, { message: 'title must not be blank' });
