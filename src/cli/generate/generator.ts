/**
 * `npm run generate -- <kind> <name>`: writes a module (or one part of it) under
 * `src/modules/<name>/`, its tests under `test/`, and registers it. Never overwrites a file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { namesOf, type ModuleNames } from './names';
import {
  controllerSource,
  createDtoSource,
  entitySource,
  moduleSource,
  reactionsSource,
  serviceSource,
  updateDtoSource,
} from './templates-source';
import { e2eTestSource, unitTestSource } from './templates-tests';
import { registerInModule, isRegistered, type ModuleList } from './wiring';

/** What `generate` can write. */
export const KINDS = ['module', 'controller', 'service', 'reactions'] as const;
export type Kind = (typeof KINDS)[number];

/** Generation refused: nothing was written. */
export class GenerateError extends Error {}

export interface GenerateResult {
  /** Files written, relative to the project root. */
  written: string[];
  /** Files edited (module registrations), relative to the project root. */
  edited: string[];
  /** What the user still has to do by hand (a registration that could not be made). */
  notes: string[];
}

interface PlannedFile {
  path: string;
  content: string;
  /** Written only when absent (a dependency of the requested part), never an error when present. */
  ifMissing?: boolean;
}

interface PlannedRegistration {
  file: string;
  className: string;
  from: string;
  list: ModuleList;
}

/** Writes the files of `kind` for module `name` into the project at `root`. */
export async function generate(kind: string, name: string, root: string): Promise<GenerateResult> {
  if (!(KINDS as readonly string[]).includes(kind)) throw new GenerateError(`unknown kind "${kind}"; use one of: ${KINDS.join(', ')}`);
  const n = namesOf(name);
  const dir = `src/modules/${n.kebab}`;
  if (kind === 'module' && existsSync(path.join(root, dir))) {
    throw new GenerateError(`${dir} already exists; nothing was written (remove it or choose another name)`);
  }
  const { files, registrations } = plan(kind as Kind, n);
  const clashes = files.filter((f) => f.ifMissing !== true && existsSync(path.join(root, f.path))).map((f) => f.path);
  if (clashes.length > 0) throw new GenerateError(`refusing to overwrite ${clashes.join(', ')}; nothing was written`);

  const result: GenerateResult = { written: [], edited: [], notes: [] };
  for (const file of files) {
    const target = path.join(root, file.path);
    if (existsSync(target)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    result.written.push(file.path);
  }
  for (const registration of registrations) register(root, registration, result);
  await formatFiles(root, [...result.written, ...result.edited]);
  return result;
}

function plan(kind: Kind, n: ModuleNames): { files: PlannedFile[]; registrations: PlannedRegistration[] } {
  const dir = `src/modules/${n.kebab}`;
  const entity: PlannedFile = { path: `${dir}/${n.entityKebab}.entity.ts`, content: entitySource(n), ifMissing: true };
  const dtos: PlannedFile[] = [
    { path: `${dir}/dto/create-${n.entityKebab}.dto.ts`, content: createDtoSource(n), ifMissing: true },
    { path: `${dir}/dto/update-${n.entityKebab}.dto.ts`, content: updateDtoSource(n), ifMissing: true },
  ];
  const service: PlannedFile = { path: `${dir}/${n.kebab}.service.ts`, content: serviceSource(n) };
  const controller: PlannedFile = { path: `${dir}/${n.kebab}.controller.ts`, content: controllerSource(n) };
  const reactions: PlannedFile = { path: `${dir}/${n.kebab}.reactions.ts`, content: reactionsSource(n) };
  const moduleFile = `${dir}/${n.kebab}.module.ts`;
  const inModule = (className: string, file: string, list: ModuleList): PlannedRegistration => ({
    file: moduleFile,
    className,
    from: `./${path.basename(file, '.ts')}`,
    list,
  });
  switch (kind) {
    case 'module':
      return {
        files: [
          entity,
          ...dtos,
          service,
          controller,
          reactions,
          { path: moduleFile, content: moduleSource(n) },
          { path: `test/unit/modules/${n.kebab}/${n.kebab}.test.ts`, content: unitTestSource(n) },
          { path: `test/e2e/${n.kebab}.e2e.test.ts`, content: e2eTestSource(n) },
        ],
        registrations: [
          { file: 'src/app.module.ts', className: `${n.pascal}Module`, from: `./modules/${n.kebab}/${n.kebab}.module`, list: 'imports' },
        ],
      };
    case 'service':
      return { files: [entity, ...dtos, service], registrations: [inModule(`${n.pascal}Service`, service.path, 'providers')] };
    case 'controller':
      return {
        files: [entity, ...dtos, { ...service, ifMissing: true }, controller],
        registrations: [
          inModule(`${n.pascal}Service`, service.path, 'providers'),
          inModule(`${n.pascal}Controller`, controller.path, 'controllers'),
        ],
      };
    case 'reactions':
      // A reactions class is a controller: its triggers are registered like routes.
      return { files: [entity, reactions], registrations: [inModule(`${n.pascal}Reactions`, reactions.path, 'controllers')] };
  }
}

function register(root: string, registration: PlannedRegistration, result: GenerateResult): void {
  const file = path.join(root, registration.file);
  const byHand = `add ${registration.className} to the ${registration.list} of the @Module in ${registration.file}`;
  if (!existsSync(file)) {
    result.notes.push(`${registration.file} does not exist: ${byHand}`);
    return;
  }
  const source = readFileSync(file, 'utf8');
  if (isRegistered(source, registration.className)) return;
  const edited = registerInModule(source, registration);
  if (edited === null) {
    result.notes.push(`no @Module({ ... }) found in ${registration.file}: ${byHand}`);
    return;
  }
  writeFileSync(file, edited);
  if (!result.edited.includes(registration.file)) result.edited.push(registration.file);
}

interface Prettier {
  format(source: string, options: Record<string, unknown>): Promise<string> | string;
  resolveConfig(file: string): Promise<Record<string, unknown> | null>;
}

/**
 * Formats the written files with the project's Prettier, when it has one, so they pass
 * `npm run lint` whatever the length of the names. Best effort: unformatted files still compile.
 */
export async function formatFiles(root: string, files: readonly string[]): Promise<void> {
  let prettier: Prettier;
  try {
    prettier = createRequire(path.join(root, 'package.json'))('prettier') as Prettier;
  } catch {
    return;
  }
  for (const relative of files) {
    const file = path.join(root, relative);
    const options = (await prettier.resolveConfig(file)) ?? {};
    writeFileSync(file, await prettier.format(readFileSync(file, 'utf8'), { ...options, filepath: file }));
  }
}
