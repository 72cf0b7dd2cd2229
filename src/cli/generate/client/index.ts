/**
 * `npm run generate -- client [file]`: the typed client of the app in `src/app.module.ts`, written
 * to `src/generated/api.ts` (or `file`). Routes and streams come from the decorators' metadata,
 * their types from the declared TypeScript types; the file is laid out by the project's Prettier.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleImport } from '../../../framework/metadata/types';
import { readAppMetadata } from './app-metadata';
import { DeclaredTypes } from './declared-types';
import { renderClient } from './render';

/** Where the client goes unless told otherwise, relative to the project root. */
export const DEFAULT_CLIENT_FILE = 'src/generated/api.ts';

export interface ClientOptions {
  /** The project root (holds tsconfig.json and src/). */
  root: string;
  /** The app's root module, already loaded (its decorators have run). */
  rootModule: ModuleImport;
  /** The output file, relative to `root` (or absolute). */
  file?: string;
}

/** The client file's content for the app, formatted. */
export async function clientSource(options: ClientOptions): Promise<string> {
  const text = renderClient(readAppMetadata(options.rootModule), new DeclaredTypes(path.resolve(options.root)));
  const filepath = path.resolve(options.root, options.file ?? DEFAULT_CLIENT_FILE);
  // Prettier 3 is an ES module; its CommonJS entry loads it on demand.
  const prettier = (await import('prettier')) as typeof import('prettier');
  // The project's style, wherever the file goes.
  const config = await prettier.resolveConfig(path.join(options.root, DEFAULT_CLIENT_FILE));
  return prettier.format(text, { ...config, filepath });
}

/** Writes (or rewrites) the client file; returns whether its content changed. */
export async function writeClient(options: ClientOptions): Promise<{ file: string; changed: boolean }> {
  const file = options.file ?? DEFAULT_CLIENT_FILE;
  const target = path.resolve(options.root, file);
  const content = await clientSource(options);
  let previous: string | undefined;
  try {
    previous = readFileSync(target, 'utf8');
  } catch {
    previous = undefined;
  }
  if (previous === content) return { file, changed: false };
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
  return { file, changed: true };
}
