#!/usr/bin/env node
/**
 * `npm run generate -- <kind> <name>`; kinds: module, controller, service, reactions; and
 * `npm run generate -- client [file]`.
 *
 *   npm run generate -- module notes     # src/modules/notes/ + tests, imported by AppModule
 *   npm run generate -- client           # src/generated/api.ts: the app's routes and streams as types
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DEFAULT_CLIENT_FILE, writeClient } from './client';
import { generate, GenerateError, KINDS } from './generator';
import { InvalidNameError } from './names';
import type { ModuleImport } from '../../framework/metadata/types';

const USAGE = `usage: npm run generate -- <${KINDS.join('|')}> <name>
  module <name>      entity, DTOs, service, controller with CRUD, reactions streaming to <name>-live,
                     a unit test and an end-to-end test; imported by AppModule
  controller <name>  the controller (and the entity, DTOs and service it needs, when missing)
  service <name>     the service over state scope <name> (and the entity and DTOs, when missing)
  reactions <name>   the reactions class mirroring scope <name> to stream <name>-live
  client [file]      the app's HTTP routes and streams as types, with a typed fetch helper,
                     for browser and Node clients (default file: ${DEFAULT_CLIENT_FILE})
names: lower-case letters, digits and dashes (notes, shopping-items)`;

/** The app's root module, loaded from beside this program (sources under ts, dist/ under node). */
function loadAppModule(): ModuleImport {
  const load = createRequire(__filename);
  const exported: { AppModule?: ModuleImport } = load(path.resolve(__dirname, '..', '..', 'app.module'));
  if (exported.AppModule === undefined) throw new GenerateError('src/app.module.ts exports no AppModule');
  return exported.AppModule;
}

async function generateClient(root: string, file: string | undefined): Promise<number> {
  const result = await writeClient({ root, rootModule: loadAppModule(), ...(file !== undefined ? { file } : {}) });
  console.log(result.changed ? `created ${result.file}` : `unchanged ${result.file}`);
  return 0;
}

export async function main(argv: readonly string[], root: string): Promise<number> {
  const [kind, name, ...rest] = argv;
  if (kind === 'client' && rest.length === 0) {
    try {
      return await generateClient(root, name);
    } catch (error) {
      if (!(error instanceof GenerateError)) throw error;
      console.error(`generate: ${error.message}`);
      return 1;
    }
  }
  if (kind === undefined || name === undefined || rest.length > 0 || kind === '--help') {
    console.error(USAGE);
    return kind === '--help' ? 0 : 1;
  }
  try {
    const result = await generate(kind, name, root);
    for (const file of result.written) console.log(`created ${file}`);
    for (const file of result.edited) console.log(`updated ${file}`);
    for (const note of result.notes) console.log(`to do:  ${note}`);
    return 0;
  } catch (error) {
    if (error instanceof GenerateError || error instanceof InvalidNameError) {
      console.error(`generate: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.cwd()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
