import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generate } from '../../../src/cli/generate/generator';
import { InvalidNameError, namesOf, singular } from '../../../src/cli/generate/names';
import { registerInModule } from '../../../src/cli/generate/wiring';

describe('namesOf', () => {
  it('derives the class, entity, constant and stream names from a kebab-case name', () => {
    expect(namesOf('shopping-items')).toEqual({
      kebab: 'shopping-items',
      pascal: 'ShoppingItems',
      constant: 'SHOPPING_ITEMS',
      entityKebab: 'shopping-item',
      entity: 'ShoppingItem',
      stream: 'shopping-items-live',
    });
  });

  it.each([
    ['notes', 'note'],
    ['categories', 'category'],
    ['boxes', 'box'],
    ['inventory', 'inventory'],
    ['status', 'status'],
    ['news', 'new'],
  ])('singular(%s) = %s', (plural, one) => expect(singular(plural)).toBe(one));

  it.each([
    ['', 'not a module name'],
    ['Notes', 'not a module name'],
    ['my_notes', 'not a module name'],
    ['1notes', 'not a module name'],
    ['notes-', 'not a module name'],
    ['../x', 'not a module name'],
    ['todos', 'taken'],
    ['framework', 'taken'],
    ['events', 'Event'],
    ['promises', 'Promise'],
    ['a'.repeat(41), 'too long'],
  ])('refuses %p (%s)', (name, reason) => {
    expect(() => namesOf(name)).toThrow(InvalidNameError);
    expect(() => namesOf(name)).toThrow(reason);
  });
});

describe('registerInModule', () => {
  const app = `import { Module } from '#framework';\nimport { A } from './a';\n\n@Module({\n  imports: [A],\n})\nexport class AppModule {}\n`;

  it('imports the class after the last import and appends it to the list', () => {
    expect(registerInModule(app, { className: 'B', from: './b', list: 'imports' })).toBe(
      `import { Module } from '#framework';\nimport { A } from './a';\nimport { B } from './b';\n\n@Module({\n  imports: [A, B],\n})\nexport class AppModule {}\n`,
    );
  });

  it('adds a missing list and fills an empty one', () => {
    expect(registerInModule(app, { className: 'C', from: './c', list: 'controllers' })).toContain(
      '@Module({\n  controllers: [C],\n  imports: [A],',
    );
    const empty = app.replace('imports: [A]', 'imports: []');
    expect(registerInModule(empty, { className: 'B', from: './b', list: 'imports' })).toContain('imports: [B]');
  });

  it('refuses a file without @Module({', () => {
    expect(registerInModule('export class X {}\n', { className: 'B', from: './b', list: 'imports' })).toBeNull();
  });
});

describe('generate (files only)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'iii-generate-unit-'));
    mkdirSync(path.join(root, 'src'), { recursive: true });
    writeFileSync(
      path.join(root, 'src/app.module.ts'),
      `import { Module } from '#framework';\n\n@Module({\n  imports: [],\n})\nexport class AppModule {}\n`,
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes the module, its tests and the AppModule import', async () => {
    const result = await generate('module', 'notes', root);

    expect(result.written.sort()).toEqual([
      'src/modules/notes/dto/create-note.dto.ts',
      'src/modules/notes/dto/update-note.dto.ts',
      'src/modules/notes/note.entity.ts',
      'src/modules/notes/notes.controller.ts',
      'src/modules/notes/notes.module.ts',
      'src/modules/notes/notes.reactions.ts',
      'src/modules/notes/notes.service.ts',
      'test/e2e/notes.e2e.test.ts',
      'test/unit/modules/notes/notes.test.ts',
    ]);
    expect(result.edited).toEqual(['src/app.module.ts']);
    expect(readFileSync(path.join(root, 'src/app.module.ts'), 'utf8')).toContain('imports: [NotesModule]');
  });

  it('refuses to overwrite an existing module and writes nothing', async () => {
    await generate('module', 'notes', root);
    const before = readFileSync(path.join(root, 'src/modules/notes/notes.service.ts'), 'utf8');
    writeFileSync(path.join(root, 'src/modules/notes/notes.service.ts'), before + '// mine\n');

    await expect(generate('module', 'notes', root)).rejects.toThrow('src/modules/notes already exists');
    await expect(generate('service', 'notes', root)).rejects.toThrow('refusing to overwrite src/modules/notes/notes.service.ts');
    expect(readFileSync(path.join(root, 'src/modules/notes/notes.service.ts'), 'utf8')).toBe(before + '// mine\n');
  });

  it('adds a part to an existing module and registers it there', async () => {
    await generate('module', 'notes', root);
    rmSync(path.join(root, 'src/modules/notes/notes.reactions.ts'));
    const moduleFile = path.join(root, 'src/modules/notes/notes.module.ts');
    writeFileSync(
      moduleFile,
      readFileSync(moduleFile, 'utf8')
        .replace(', NotesReactions]', ']')
        .replace(/import \{ NotesReactions \}.*\n/, ''),
    );

    const result = await generate('reactions', 'notes', root);

    expect(result.written).toEqual(['src/modules/notes/notes.reactions.ts']);
    expect(readFileSync(moduleFile, 'utf8')).toContain('controllers: [NotesController, NotesReactions]');
  });

  it('says what to register by hand when the module file does not exist', async () => {
    const result = await generate('controller', 'audits', root);

    expect(result.written).toContain('src/modules/audits/audits.service.ts');
    expect(result.notes).toEqual([
      'src/modules/audits/audits.module.ts does not exist: add AuditsService to the providers of the @Module in src/modules/audits/audits.module.ts',
      'src/modules/audits/audits.module.ts does not exist: add AuditsController to the controllers of the @Module in src/modules/audits/audits.module.ts',
    ]);
  });

  it('refuses an unknown kind and a bad name before writing anything', async () => {
    await expect(generate('gizmo', 'notes', root)).rejects.toThrow('unknown kind "gizmo"');
    await expect(generate('module', 'Bad Name', root)).rejects.toThrow(InvalidNameError);
    expect(existsSync(path.join(root, 'src/modules'))).toBe(false);
  });
});
