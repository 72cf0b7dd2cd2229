/**
 * Edits a `@Module({...})` file: imports a class and lists it under `imports`, `controllers` or
 * `providers`. Plain text edits on the layout the generator and the reference app use; when a file
 * does not have that layout the edit is refused and the caller tells the user what to add by hand.
 */
export type ModuleList = 'imports' | 'controllers' | 'providers';

export interface Registration {
  /** The class to list, e.g. `NotesModule`. */
  className: string;
  /** Import specifier relative to the edited file, e.g. `./modules/notes/notes.module`. */
  from: string;
  list: ModuleList;
}

/** The edited source, or `null` when the file has no `@Module({` to edit. */
export function registerInModule(source: string, registration: Registration): string | null {
  const { className, from, list } = registration;
  const decorator = source.indexOf('@Module({');
  if (decorator < 0) return null;
  let edited = source;
  const listPattern = new RegExp(`(${list}\\s*:\\s*\\[)([^\\]]*)(\\])`);
  const match = listPattern.exec(edited.slice(decorator));
  if (match !== null) {
    const start = decorator + match.index;
    const items = match[2] as string;
    const trimmed = items.trimEnd();
    const joined = trimmed.trim() === '' ? className : `${trimmed.replace(/,$/, '')}, ${className}`;
    edited = `${edited.slice(0, start)}${match[1]}${joined}${match[3]}${edited.slice(start + match[0].length)}`;
  } else {
    const at = decorator + '@Module({'.length;
    edited = `${edited.slice(0, at)}\n  ${list}: [${className}],${edited.slice(at)}`;
  }
  return addImport(edited, `import { ${className} } from '${from}';`);
}

/** Inserts an import line after the last import of the file (or at its top). */
function addImport(source: string, line: string): string {
  const lines = source.split('\n');
  let last = -1;
  lines.forEach((text, index) => {
    if (/^import\s.*from\s+['"].*['"];?\s*$/.test(text) || /^}\s*from\s+['"].*['"];?\s*$/.test(text)) last = index;
  });
  lines.splice(last + 1, 0, line);
  return lines.join('\n');
}

/** Whether `className` is already listed in the module file. */
export function isRegistered(source: string, className: string): boolean {
  return new RegExp(`\\b${className}\\b`).test(source);
}
