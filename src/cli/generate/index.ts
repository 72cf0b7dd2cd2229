#!/usr/bin/env node
/**
 * `npm run generate -- <kind> <name>`; kinds: module, controller, service, reactions.
 *
 *   npm run generate -- module notes     # src/modules/notes/ + tests, imported by AppModule
 */
import { generate, GenerateError, KINDS } from './generator';
import { InvalidNameError } from './names';

const USAGE = `usage: npm run generate -- <${KINDS.join('|')}> <name>
  module <name>      entity, DTOs, service, controller with CRUD, reactions streaming to <name>-live,
                     a unit test and an end-to-end test; imported by AppModule
  controller <name>  the controller (and the entity, DTOs and service it needs, when missing)
  service <name>     the service over state scope <name> (and the entity and DTOs, when missing)
  reactions <name>   the reactions class mirroring scope <name> to stream <name>-live
names: lower-case letters, digits and dashes (notes, shopping-items)`;

export async function main(argv: readonly string[], root: string): Promise<number> {
  const [kind, name, ...rest] = argv;
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
