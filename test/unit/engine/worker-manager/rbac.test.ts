import type { EngineLogger } from '../../../../src/engine/core/types';
import {
  decideAccess,
  filterMatches,
  forbiddenMessage,
  OPEN_SESSION,
  parseMatchCall,
  parseRbacConfig,
  wildcardMatch,
  type Session,
} from '../../../../src/engine/worker-manager/rbac';

function logger(): EngineLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message) => warnings.push(message) };
}

const session = (overrides: Partial<Session> = {}): Session => ({ ...OPEN_SESSION, ...overrides });

describe('wildcardMatch', () => {
  it.each([
    ['api::*', 'api::users::list', true],
    ['api::*', 'xapi::users', false],
    ['*::public', 'a::b::public', true],
    ['*::public', 'a::public::x', false],
    ['api::*::read', 'api::users::read', true],
    ['api::*::read', 'api::read', false],
    ['*', '', true],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['a*a', 'a', false],
    ['a*b*c', 'abxbc', true],
  ])('%s vs %s → %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });
});

describe('parseMatchCall', () => {
  it('reads match("…") and match(\'…\') and nothing else', () => {
    expect(parseMatchCall('match("a::*")')).toBe('a::*');
    expect(parseMatchCall(" match('b') ")).toBe('b');
    expect(parseMatchCall('a::*')).toBeUndefined();
    expect(parseMatchCall('match("a\')')).toBeUndefined();
  });
});

describe('parseRbacConfig', () => {
  it('reads hooks, match strings, map-form match and metadata filters', () => {
    const config = parseRbacConfig(
      {
        auth_function_id: 'auth',
        on_function_registration_function_id: 'f',
        on_trigger_registration_function_id: 't',
        on_trigger_type_registration_function_id: 'tt',
        expose_functions: ['match("a::*")', { match: 'b::*' }, { metadata: { public: true, name: 'match("*x*")' } }],
      },
      logger(),
    );
    expect(config).toEqual({
      authFunctionId: 'auth',
      onFunctionRegistrationFunctionId: 'f',
      onTriggerRegistrationFunctionId: 't',
      onTriggerTypeRegistrationFunctionId: 'tt',
      exposeFunctions: [
        { kind: 'match', pattern: 'a::*' },
        { kind: 'match', pattern: 'b::*' },
        {
          kind: 'metadata',
          expected: [
            ['public', { kind: 'exact', value: true }],
            ['name', { kind: 'glob', pattern: '*x*' }],
          ],
        },
      ],
    });
  });

  it('skips malformed filters with a warning instead of exposing anything', () => {
    const log = logger();
    const config = parseRbacConfig({ expose_functions: ['a::*', 42, { match: 'x', metadata: {} }, { other: 1 }] }, log);
    expect(config.exposeFunctions).toEqual([]);
    expect(log.warnings).toHaveLength(4);
  });

  it('treats a non-list expose_functions as exposing nothing', () => {
    expect(parseRbacConfig({ expose_functions: 'match("*")' }, logger()).exposeFunctions).toEqual([]);
  });
});

describe('filterMatches', () => {
  const meta = parseRbacConfig({ expose_functions: [{ metadata: { public: true, tier: 'match("free*")', tags: ['a'] } }] }, logger())
    .exposeFunctions[0]!;

  it('needs every metadata key to match, exactly or by glob', () => {
    expect(filterMatches(meta, 'x', { public: true, tier: 'free-1', tags: ['a'], extra: 1 })).toBe(true);
    expect(filterMatches(meta, 'x', { public: true, tier: 'paid', tags: ['a'] })).toBe(false);
    expect(filterMatches(meta, 'x', { public: 'true', tier: 'free', tags: ['a'] })).toBe(false);
    expect(filterMatches(meta, 'x', { public: true, tier: 'free' })).toBe(false);
  });

  it('never matches a function without metadata', () => {
    expect(filterMatches(meta, 'x', undefined)).toBe(false);
  });

  it('does not read inherited keys', () => {
    const filter = parseRbacConfig({ expose_functions: [{ metadata: { toString: 'x' } }] }, logger()).exposeFunctions[0]!;
    expect(filterMatches(filter, 'x', {})).toBe(false);
  });
});

describe('decideAccess', () => {
  const config = parseRbacConfig({ expose_functions: ['match("pub::*")'] }, logger());

  it('lets forbidden_functions win over everything, including the carve-out', () => {
    const s = session({ forbiddenFunctions: ['pub::a', 'engine::log::info'], allowedFunctions: ['pub::a'] });
    expect(decideAccess(config, s, 'pub::a', undefined)).toBe('forbidden');
    expect(decideAccess(config, s, 'engine::log::info', undefined)).toBe('forbidden');
  });

  it('allows allowed_functions, infrastructure ids and exposed ids; denies the rest', () => {
    const s = session({ allowedFunctions: ['priv::granted'] });
    expect(decideAccess(config, s, 'priv::granted', undefined)).toBe('allowed');
    expect(decideAccess(config, s, 'engine::workers::register', undefined)).toBe('allowed');
    expect(decideAccess(config, s, 'engine::channels::create', undefined)).toBe('allowed');
    expect(decideAccess(config, s, 'pub::x', undefined)).toBe('allowed');
    expect(decideAccess(config, s, 'priv::other', undefined)).toBe('not_exposed');
    expect(decideAccess(config, s, 'engine::functions::list', undefined)).toBe('not_exposed');
  });
});

describe('forbiddenMessage', () => {
  it('names the config key to change', () => {
    expect(forbiddenMessage('a::b', 'not_exposed')).toBe("function 'a::b' not allowed (add to rbac.expose_functions)");
    expect(forbiddenMessage('a::b', 'forbidden')).toBe("function 'a::b' not allowed (remove from rbac.forbidden_functions)");
  });
});
