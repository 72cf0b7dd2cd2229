import { addGuards } from '../metadata/reflection';
import type { GuardRef } from '../metadata/types';
import { describe, invalid } from './checks';

/**
 * Runs guards before the method (class-level guards apply to every method of the controller).
 * A guard class is built once, at bootstrap, with the providers of the controller's module.
 */
export function UseGuards(...guards: GuardRef[]): ClassDecorator & MethodDecorator {
  if (guards.length === 0) throw invalid('@UseGuards()', 'give at least one guard');
  guards.forEach((guard, i) => {
    const ok =
      typeof guard === 'function' ||
      (guard !== null && typeof guard === 'object' && typeof (guard as { canActivate?: unknown }).canActivate === 'function');
    if (!ok) throw invalid('@UseGuards()', `guard #${i} must be a class or an object with canActivate() (got ${describe(guard)})`);
  });
  return (target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) {
      addGuards(target, undefined, guards);
      return;
    }
    if (typeof propertyKey !== 'string') throw invalid('@UseGuards()', 'cannot decorate a symbol-named method');
    addGuards(target, propertyKey, guards);
  };
}
