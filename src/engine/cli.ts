#!/usr/bin/env node
/**
 * `node dist/src/engine/cli.js [--config FILE] [--data DIR] [--memory] [--ephemeral]
 *   [--host HOST] [--worker-port N] [--http-port N] [--stream-port N] [--semantics embedded|iii-0.22]`
 *
 * Starts the embedded engine, prints its listener URLs (one human line each, then one
 * `III_ENGINE_READY {json}` line for scripts and tests) and closes cleanly on SIGINT/SIGTERM.
 */
import { parseSemantics } from './core/semantics';
import { startEngine, type EngineSemantics, type StartEngineOptions } from './index';

const USAGE =
  'usage: cli [--config FILE] [--data DIR] [--memory] [--ephemeral] [--host HOST] ' +
  '[--worker-port N] [--http-port N] [--stream-port N] [--semantics embedded|iii-0.22]';

export class CliUsageError extends Error {
  readonly code = 'CLI_USAGE';
}

function portValue(flag: string, value: string | undefined): number {
  const port = Number(value);
  if (value === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliUsageError(`${flag} needs a port number (0-65535)`);
  }
  return port;
}

function semanticsValue(flag: string, value: string): EngineSemantics {
  try {
    return parseSemantics(value, flag);
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}

/** Parses argv (without node and script) into engine options. */
export function parseArgs(argv: readonly string[]): StartEngineOptions {
  const options: StartEngineOptions = {};
  const ports: NonNullable<StartEngineOptions['ports']> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const next = (): string => {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
      i += 1;
      return value;
    };
    switch (flag) {
      case '--config':
        options.config = next();
        break;
      case '--data':
        options.dataDir = next();
        break;
      case '--memory':
        options.storage = 'memory';
        break;
      case '--ephemeral':
        options.ephemeralPorts = true;
        break;
      case '--host':
        options.host = next();
        break;
      case '--worker-port':
        ports.worker = portValue(flag, next());
        break;
      case '--http-port':
        ports.http = portValue(flag, next());
        break;
      case '--stream-port':
        ports.stream = portValue(flag, next());
        break;
      case '--semantics':
        options.semantics = semanticsValue(flag, next());
        break;
      case '--help':
      case '-h':
        throw new CliUsageError(USAGE);
      default:
        throw new CliUsageError(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  if (Object.keys(ports).length > 0) options.ports = ports;
  return options;
}

async function main(): Promise<void> {
  let options: StartEngineOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const engine = await startEngine(options);
  const { urls } = engine;
  process.stdout.write(`iii engine listening\n  workers: ${urls.worker}\n`);
  if (urls.http !== undefined) process.stdout.write(`  http:    ${urls.http}\n`);
  if (urls.stream !== undefined) process.stdout.write(`  stream:  ${urls.stream}\n`);
  process.stdout.write(`III_ENGINE_READY ${JSON.stringify(urls)}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`received ${signal}, shutting down\n`);
    engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const error = err as { code?: string; message?: string };
    process.stderr.write(`engine failed to start: ${error.code !== undefined ? `[${error.code}] ` : ''}${error.message}\n`);
    process.exit(1);
  });
}
