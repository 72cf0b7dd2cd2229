import { Controller, Inject, Injectable, Module } from '../../../../src/framework';
import { FrameworkError } from '../../../../src/framework/errors';
import { readConstructorDeps, readController, readModule, isInjectable } from '../../../../src/framework/metadata/reflection';
import type { ModuleMetadata } from '../../../../src/framework/metadata/types';
import { thrownCode } from '../../../support/errors';

const codeOf = thrownCode;

describe('@Module', () => {
  it('records imports, providers, controllers and exports', () => {
    @Injectable()
    class Service {}
    @Module({ providers: [Service], exports: [Service] })
    class Feature {}

    const meta = readModule(Feature);

    expect(meta).toEqual({ imports: [], providers: [Service], controllers: [], exports: [Service] });
  });

  it('rejects unknown keys and names them', () => {
    let error: FrameworkError | undefined;
    try {
      Module({ providers: [], provider: [] } as ModuleMetadata);
    } catch (e) {
      error = e as FrameworkError;
    }
    expect(error?.code).toBe('INVALID_MODULE_KEY');
    expect(error?.message).toContain("'provider'");
  });

  it('rejects a key that is not an array', () => {
    expect(codeOf(() => Module({ imports: {} as never }))).toBe('INVALID_MODULE');
  });

  it('rejects non-object metadata', () => {
    expect(codeOf(() => Module(null as never))).toBe('INVALID_MODULE');
  });

  it('keeps its own copy of the arrays', () => {
    const providers: never[] = [];
    @Module({ providers })
    class Feature {}
    providers.push(class X {} as never);
    expect(readModule(Feature)?.providers).toEqual([]);
  });
});

describe('@Controller', () => {
  it('normalizes the prefix and marks the class injectable', () => {
    @Controller('/todos/')
    class TodosController {}
    expect(readController(TodosController)).toEqual({ prefix: 'todos' });
    expect(isInjectable(TodosController)).toBe(true);
  });

  it('defaults to an empty prefix', () => {
    @Controller()
    class HealthController {}
    expect(readController(HealthController)).toEqual({ prefix: '' });
  });

  it('rejects a non-string prefix', () => {
    expect(codeOf(() => Controller(42 as never))).toBe('INVALID_DECORATOR_ARGUMENT');
  });
});

describe('@Inject / constructor dependencies', () => {
  it('reads design types and @Inject overrides by position', () => {
    @Injectable()
    class A {}
    const TOKEN = Symbol('config');
    @Injectable()
    class B {
      constructor(
        readonly a: A,
        @Inject(TOKEN) readonly config: unknown,
        @Inject('name') readonly name: string,
      ) {}
    }
    expect(readConstructorDeps(B)).toEqual([A, TOKEN, 'name']);
  });

  it('marks parameters of unknowable type as undefined', () => {
    interface Port {
      x: number;
    }
    @Injectable()
    class C {
      constructor(
        readonly port: Port,
        readonly n: number,
      ) {}
    }
    expect(readConstructorDeps(C)).toEqual([undefined, undefined]);
  });

  it('rejects an undefined token (typically a circular file import)', () => {
    expect(codeOf(() => Inject(undefined as never))).toBe('INVALID_DECORATOR_ARGUMENT');
  });

  it('rejects use on a method parameter', () => {
    expect(() => {
      class D {
        m(@Inject('x') _x: unknown): void {}
      }
      return D;
    }).toThrow(/constructor/);
  });
});
