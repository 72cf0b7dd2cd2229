import * as vm from 'vm';
import WebSocket from 'ws';
import { CLIENT_GLOBAL, streamClientScript } from '../../../../src/modules/web/client-script';
import { FakeStreamServer } from '../../client/fake-stream-server';

/** What the served script exposes, as a page sees it. */
interface BrowserGlobal {
  StreamClient: new (
    url: string,
    options?: unknown,
  ) => {
    join(target: object, handlers: object): { synced: Promise<boolean> };
    close(): void;
  };
  LiveGroup: unknown;
  applyStreamMessage: unknown;
}

function runInFreshGlobal(script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const sandbox: Record<string, unknown> = { ...extra };
  sandbox.globalThis = sandbox;
  sandbox.self = sandbox;
  vm.runInNewContext(script, sandbox);
  return sandbox;
}

describe('streamClientScript', () => {
  it('defines the client classes on a global without needing require or exports', () => {
    const g = runInFreshGlobal(streamClientScript());
    const lib = g[CLIENT_GLOBAL] as BrowserGlobal;
    expect(typeof lib.StreamClient).toBe('function');
    expect(typeof lib.LiveGroup).toBe('function');
    expect(typeof lib.applyStreamMessage).toBe('function');
  });

  it('carries no require() call and no source map reference', () => {
    const script = streamClientScript();
    expect(script).not.toMatch(/\brequire\(/);
    expect(script).not.toContain('sourceMappingURL');
  });

  it('yields a client that really talks to a stream server', async () => {
    const server = await FakeStreamServer.start();
    const g = runInFreshGlobal(streamClientScript(), { WebSocket, setTimeout, clearTimeout, console });
    const client = new (g[CLIENT_GLOBAL] as BrowserGlobal).StreamClient(server.url);
    try {
      const sub = client.join({ stream: 's', group: 'g' }, {});
      expect(await sub.synced).toBe(true);
    } finally {
      client.close();
      await server.close();
    }
  });
});
