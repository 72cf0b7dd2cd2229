import { EngineError } from '../../core/errors';
import { isPlainObject } from '../../core/ids';

/**
 * Small typed readers for built-in inputs. Unknown keys (e.g. the injected `_caller_worker_id`)
 * are ignored; a wrong type yields `deserialization_error` naming the function (engine.md §6).
 */
export class InputReader {
  private readonly data: Record<string, unknown>;

  constructor(
    private readonly functionId: string,
    data: unknown,
  ) {
    if (data === null || data === undefined) this.data = {};
    else if (isPlainObject(data)) this.data = data;
    else throw this.fail('invalid type: expected a map');
  }

  fail(message: string): EngineError {
    return new EngineError('deserialization_error', `Failed to deserialize input for ${this.functionId}: ${message}`);
  }

  has(key: string): boolean {
    return this.data[key] !== undefined && this.data[key] !== null;
  }

  raw(key: string): unknown {
    return this.data[key];
  }

  optString(key: string): string | undefined {
    const value = this.data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.fail(`invalid type for \`${key}\`: expected a string`);
    return value;
  }

  string(key: string): string {
    const value = this.optString(key);
    if (value === undefined) throw this.fail(`missing field \`${key}\``);
    return value;
  }

  optBool(key: string): boolean | undefined {
    const value = this.data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.fail(`invalid type for \`${key}\`: expected a boolean`);
    return value;
  }

  optNumber(key: string): number | undefined {
    const value = this.data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(`invalid type for \`${key}\`: expected a number`);
    return value;
  }

  optStringArray(key: string): string[] | undefined {
    const value = this.data[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.fail(`invalid type for \`${key}\`: expected a list of strings`);
    }
    return value as string[];
  }
}

/** `JSON.stringify(config)` cut to 80 characters plus `…` (engine.md §6.6). */
export function summarize(config: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(config) ?? 'null';
  } catch {
    text = String(config);
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
