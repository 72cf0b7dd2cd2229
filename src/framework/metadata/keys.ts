import 'reflect-metadata';

/**
 * Every metadata key the framework writes, in one place and one naming scheme (`iii:<what>`).
 * `design:*` keys are the TypeScript compiler's own and are listed for completeness.
 */
export const META = {
  module: 'iii:module',
  controller: 'iii:controller',
  injectable: 'iii:injectable',
  inject: 'iii:inject',
  triggers: 'iii:triggers',
  params: 'iii:params',
  streamPublish: 'iii:stream-publish',
  guards: 'iii:guards',
  interceptors: 'iii:interceptors',
  pipes: 'iii:pipes',
  filters: 'iii:filters',
  catch: 'iii:catch',
  global: 'iii:global',
  designParamTypes: 'design:paramtypes',
} as const;
