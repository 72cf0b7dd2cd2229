import { createServer } from 'node:http';
import { dialableHost, dialableUrl, ListenerLifecycle, listenOn } from '../../../../src/engine/lib/listener';

describe('ListenerLifecycle', () => {
  it('goes IDLE → RUNNING → CLOSING → CLOSED, running the shutdown once for every caller', async () => {
    const life = new ListenerLifecycle('test');
    const server = createServer();
    expect(life.state).toBe('IDLE');
    await life.listen(server, 0, '127.0.0.1');
    expect(life.state).toBe('RUNNING');
    expect(life.running).toBe(true);

    const seen: string[] = [];
    let finish: () => void = () => undefined;
    const shutdown = (wasRunning: boolean): Promise<void> => {
      seen.push(`shutdown(${wasRunning}) in ${life.state}`);
      return new Promise<void>((resolve) => (finish = resolve)).then(() => new Promise<void>((r) => server.close(() => r())));
    };
    const first = life.close(shutdown);
    const second = life.close(shutdown);
    expect(second).toBe(first);
    expect(life.state).toBe('CLOSING');
    expect(life.running).toBe(false);
    finish();
    await first;
    expect(life.state).toBe('CLOSED');
    expect(seen).toEqual(['shutdown(true) in CLOSING']);
    await expect(life.listen(server, 0, '127.0.0.1')).rejects.toThrow('test: already started');
  });

  it('a listener closed before it was bound shuts down with wasRunning = false', async () => {
    const life = new ListenerLifecycle('test');
    let was: boolean | undefined;
    await life.close(async (wasRunning) => {
      was = wasRunning;
    });
    expect(was).toBe(false);
    expect(life.state).toBe('CLOSED');
  });

  it('a failed bind rejects with the bind error and stays IDLE', async () => {
    const holder = createServer();
    await listenOn(holder, 0, '127.0.0.1');
    const port = (holder.address() as { port: number }).port;
    const life = new ListenerLifecycle('test');
    try {
      await expect(life.listen(createServer(), port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(life.state).toBe('IDLE');
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });
});

describe('dialable addresses', () => {
  it('reports wildcard binds as loopback and brackets IPv6', () => {
    expect(dialableHost('0.0.0.0')).toBe('127.0.0.1');
    expect(dialableHost('::')).toBe('[::1]');
    expect(dialableHost('::1')).toBe('[::1]');
    expect(dialableHost('127.0.0.1')).toBe('127.0.0.1');
  });

  it('gives the bound port of a server, undefined before it is bound', async () => {
    const server = createServer();
    expect(dialableUrl('ws', server)).toBeUndefined();
    await listenOn(server, 0, '127.0.0.1');
    const { port } = server.address() as { port: number };
    expect(dialableUrl('ws', server)).toBe(`ws://127.0.0.1:${port}`);
    await new Promise<void>((r) => server.close(() => r()));
  });
});
