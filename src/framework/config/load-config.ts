import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { FrameworkError } from '../errors';
import type { Type } from '../metadata/types';

/** Where configuration comes from: `process.env` unless a test or a caller gives another map. */
export type ConfigSource = Readonly<Record<string, string | undefined>>;

/**
 * Reads a configuration class from the environment: each property named like a variable
 * (`PORT`, `III_DATA_DIR`), text converted to the property's declared type (annotate it:
 * `PORT: number = 3111`),
 * property initializers as defaults, then class-validator. Empty variables count as unset. Any
 * failure is one `CONFIG_INVALID` error listing every bad variable with its value.
 */
export function loadConfig<T extends object>(schema: Type<T>, source: ConfigSource = process.env): T {
  const present: Record<string, string> = {};
  const typed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || value.trim() === '') continue;
    present[key] = value.trim();
    typed[key] = convert(present[key], Reflect.getMetadata('design:type', schema.prototype, key));
  }
  const instance = plainToInstance(schema as unknown as new () => T, typed, { exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const lines = describe(errors, present);
    throw new FrameworkError(
      'CONFIG_INVALID',
      `Invalid configuration (${schema.name}):\n  ${lines.join('\n  ')}\nFix these environment variables or unset them to use the defaults.`,
    );
  }
  return instance;
}

/**
 * Text to the property's declared type. Booleans accept `true/false/1/0` only (class-transformer's
 * implicit conversion would read "false" as true); what does not convert stays text, so the
 * validator refuses it with its own message.
 */
function convert(text: string, type: unknown): unknown {
  if (type === Number) {
    const n = Number(text);
    return Number.isNaN(n) ? text : n;
  }
  if (type === Boolean) {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return text;
}

function describe(errors: readonly ValidationError[], source: Record<string, string>): string[] {
  return errors.map((error) => {
    const given = source[error.property];
    const constraints = Object.values(error.constraints ?? {}).join('; ');
    return `${error.property}${given !== undefined ? `=${JSON.stringify(given)}` : ''}: ${constraints}`;
  });
}
