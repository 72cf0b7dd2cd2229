/** The names a generated module derives from the one the user types (`notes` → `NotesModule`, `Note`, …). */

/** Names that would shadow something the app or the framework already uses. */
const RESERVED = new Set(['app', 'framework', 'engine', 'client', 'protocol', 'modules', 'test', 'web', 'metrics', 'todos']);

/** Entity names the generated files could not use: identifiers they import, and JavaScript globals. */
const TAKEN_IDENTIFIERS = new Set(
  (
    'Module Controller Injectable Event Stream Body Param Get Post Patch Delete StateService StateScope UpdateOp NotFoundException ' +
    'Test TestingModule StreamService StreamHandle StreamClient LiveGroup TestApp WebSocket StateChangeEvent OnStateChange IsString ' +
    'Length Matches ValidateIf Promise Record Date Error Map Set Array Object String Number Function Symbol Request Response Headers ' +
    'Partial Pick Omit Readonly Required Proxy Reflect Math Json Url Buffer Blob File'
  ).split(' '),
);

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export interface ModuleNames {
  /** kebab-case, as typed: directory, state scope, controller prefix (`notes`, `shopping-items`). */
  readonly kebab: string;
  /** PascalCase of the module (`Notes`, `ShoppingItems`): `NotesModule`, `NotesService`, … */
  readonly pascal: string;
  /** UPPER_SNAKE of the module (`NOTES`, `SHOPPING_ITEMS`): the constants' prefix. */
  readonly constant: string;
  /** The entity, singular, kebab-case (`note`, `shopping-item`): file names. */
  readonly entityKebab: string;
  /** The entity type (`Note`, `ShoppingItem`). */
  readonly entity: string;
  /** The live stream's name (`notes-live`). */
  readonly stream: string;
}

/** A name the user typed was refused; the message says why and what would work. */
export class InvalidNameError extends Error {}

/** Validates `raw` and derives every name from it. */
export function namesOf(raw: string): ModuleNames {
  const kebab = raw.trim();
  if (!KEBAB.test(kebab)) {
    throw new InvalidNameError(
      `"${raw}" is not a module name: use lower-case letters, digits and single dashes, starting with a letter (e.g. notes, shopping-items)`,
    );
  }
  if (kebab.length > 40) throw new InvalidNameError(`"${raw}" is too long for a module name (at most 40 characters)`);
  if (RESERVED.has(kebab)) throw new InvalidNameError(`"${raw}" is taken by the framework or the reference app; choose another name`);
  const words = kebab.split('-');
  const entityWords = [...words.slice(0, -1), singular(words[words.length - 1] as string)];
  const entity = pascalOf(entityWords);
  if (TAKEN_IDENTIFIERS.has(entity)) {
    throw new InvalidNameError(`"${raw}" would name its entity type ${entity}, which the generated code already uses; choose another name`);
  }
  return {
    kebab,
    pascal: pascalOf(words),
    constant: words.map((w) => w.toUpperCase()).join('_'),
    entityKebab: entityWords.join('-'),
    entity,
    stream: `${kebab}-live`,
  };
}

/** English plural → singular for the common cases; anything else stays as it is (`inventory`). */
export function singular(word: string): string {
  if (/[^aeiou]ies$/.test(word) && word.length > 4) return word.slice(0, -3) + 'y';
  if (/(ches|shes|sses|xes|zes)$/.test(word)) return word.slice(0, -2);
  if (/[^su]s$/.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

function pascalOf(words: readonly string[]): string {
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
