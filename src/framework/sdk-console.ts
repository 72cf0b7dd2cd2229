/**
 * iii-sdk 0.22.1 reports its progress ("[iii] Worker registered with ID: …", "[iii] Reconnecting
 * in …", "[OTel] OpenTelemetry is disabled…") with `console.debug`, which Node prints like
 * `console.log`, and it has no option or environment variable to turn that off. These lines are
 * debug output, so they follow `III_LOG_LEVEL` like the engine's own debug lines: shown at `debug`
 * (or `trace`), dropped otherwise. Only `console.debug` calls whose text starts with the SDK's
 * `[iii] ` / `[OTel] ` prefixes are affected; the SDK's errors (`console.error`) and your own
 * `console.debug` lines are left alone.
 */
import { logLevelFromEnv } from './logger';

const SDK_PREFIXES = ['[iii] ', '[OTel] '];
const INSTALLED = Symbol.for('iii-nest.sdk-debug-filter');

type FilteredConsole = Console & { [INSTALLED]?: true };

/**
 * Drops iii-sdk's debug lines unless `III_LOG_LEVEL` is `debug`. Idempotent; `IIIFactory.create`
 * calls it before it creates its iii-sdk client, so apps need not. Call it yourself when you create
 * iii-sdk clients with `registerWorker` directly.
 */
export function quietSdkDebugOutput(env: NodeJS.ProcessEnv = process.env, target: Console = console): void {
  const filtered = target as FilteredConsole;
  if (logLevelFromEnv(env) === 'debug' || filtered[INSTALLED] === true) return;
  const debug = target.debug.bind(target);
  target.debug = (...args: unknown[]): void => {
    const first = args[0];
    if (typeof first === 'string' && SDK_PREFIXES.some((prefix) => first.startsWith(prefix))) return;
    debug(...args);
  };
  filtered[INSTALLED] = true;
}
