import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultConfig,
  expandString,
  loadConfigFile,
  normalizeConfig,
  parseConfig,
  withMandatoryWorkers,
} from '../../../src/engine/config';

describe('engine config', () => {
  it('expands ${VAR:default} and turns a whole numeric placeholder into a number', () => {
    expect(expandString('${STREAMS_PORT:3112}', {})).toBe(3112);
    expect(expandString('${STREAMS_PORT:3112}', { STREAMS_PORT: '4000' })).toBe(4000);
    expect(expandString('host-${NAME:x}-${MISSING}', { NAME: 'a' })).toBe('host-a-');
    expect(expandString('${NAME}', { NAME: 'text' })).toBe('text');
  });

  it('reads the SDK fixture shape, expanding nested string values', () => {
    const config = parseConfig(
      [
        'workers:',
        '  - name: iii-worker-manager',
        '    config:',
        '      port: 49199',
        '  - name: iii-stream',
        '    config:',
        '      port: ${STREAMS_PORT:3112}',
        '      adapter:',
        '        name: kv',
        '        config: { store_method: file_based, file_path: ./data/stream_store }',
        '  - name: iii-observability',
        '    config: { enabled: true, exporter: memory }',
        '  - name: iii-http-functions',
      ].join('\n'),
      {},
    );
    expect(config.workers.map((w) => w.name)).toEqual(['iii-worker-manager', 'iii-stream', 'iii-observability', 'iii-http-functions']);
    expect(config.workers[1]?.config).toEqual({
      port: 3112,
      adapter: { name: 'kv', config: { store_method: 'file_based', file_path: './data/stream_store' } },
    });
    expect(config.workers[3]?.config).toEqual({});
  });

  it('rejects a config whose workers are not a list with code config_invalid', () => {
    expect(() => parseConfig('workers: 3')).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => parseConfig('workers: [{ config: {} }]')).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => parseConfig('workers: [ {')).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  it('treats an empty file as no workers, then adds the mandatory worker manager', () => {
    const config = withMandatoryWorkers(parseConfig(''));
    expect(config.workers).toEqual([{ name: 'iii-worker-manager', config: {} }]);
  });

  it('keeps __proto__ keys as plain data', () => {
    const config = normalizeConfig(JSON.parse('{"workers":[{"name":"x","config":{"__proto__":{"polluted":true}}}]}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(config.workers[0]?.config)).toBe(Object.prototype);
  });

  it('defaults to engine.md §1.2 workers plus iii-queue', () => {
    const names = defaultConfig().workers.map((w) => w.name);
    expect(names).toEqual(['iii-worker-manager', 'iii-http', 'iii-stream', 'iii-state', 'iii-pubsub', 'iii-cron', 'iii-queue']);
    // The reference engine has no queue unless one is installed.
    expect(defaultConfig('iii-0.22').workers.map((w) => w.name)).toEqual(names.filter((name) => name !== 'iii-queue'));
    expect(defaultConfig().workers[0]?.config.port).toBe(49134);
  });

  it('reports a missing file with code config_not_found', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iii-config-'));
    try {
      expect(() => loadConfigFile(join(dir, 'nope.yaml'))).toThrow(expect.objectContaining({ code: 'config_not_found' }));
      writeFileSync(join(dir, 'config.yaml'), 'workers: []\n');
      expect(loadConfigFile(join(dir, 'config.yaml'))).toEqual({ workers: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
