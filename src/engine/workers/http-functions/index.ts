import type { ExternalFunctionHost } from '../../core/services';
import { createLogger } from '../../core/logger';
import type { EngineWorker, FunctionHandler } from '../../core/types';
import { parseHttpFunctionsConfig, type HttpFunctionsConfig } from './config';
import { parseInvocation } from './invocation';
import { HttpInvoker } from './invoker';
import { UrlPolicy, type Resolver } from './url-policy';

export const HTTP_FUNCTIONS_WORKER = 'iii-http-functions';

/** The worker plus the hook the worker manager uses for `registerfunction` frames with `invocation`. */
export type HttpFunctionsWorker = EngineWorker & ExternalFunctionHost;

export interface HttpFunctionsOptions {
  /** DNS resolution for the private-address check (tests inject one). */
  resolver?: Resolver;
  env?: NodeJS.ProcessEnv;
}

/**
 * `iii-http-functions` (engine.md §11). It registers nothing itself: the worker manager asks it to turn
 * a worker's `invocation` block into a handler, and the function then lives in the ordinary
 * registry, owned by that worker connection — so unregister and disconnect remove it like any
 * other function.
 */
export function createHttpFunctionsWorker(config: Record<string, unknown>, options: HttpFunctionsOptions = {}): HttpFunctionsWorker {
  const logger = createLogger({ scope: HTTP_FUNCTIONS_WORKER });
  const parsed: HttpFunctionsConfig = parseHttpFunctionsConfig(config, logger);
  const policy = new UrlPolicy(parsed.security, options.resolver);
  const invoker = new HttpInvoker(policy);
  const env = options.env ?? process.env;
  let running = false;
  const worker: HttpFunctionsWorker = {
    name: HTTP_FUNCTIONS_WORKER,
    async start(context) {
      running = true;
      context.provide('external-functions', worker);
    },
    async stop() {
      running = false;
      invoker.close();
    },
    async createHandler(functionId: string, invocation: Record<string, unknown>): Promise<FunctionHandler> {
      const endpoint = parseInvocation(invocation, env);
      await policy.check(endpoint.url);
      logger.debug(`HTTP function ${functionId} → ${endpoint.method} ${endpoint.url}`);
      return (data) => {
        if (!running) throw new Error(`${HTTP_FUNCTIONS_WORKER} is stopped`);
        return invoker.invoke(functionId, endpoint, data);
      };
    },
  };
  return worker;
}
