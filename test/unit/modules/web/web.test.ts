import { AppConfig } from '../../../../src/app.config';
import { Test, loadConfig } from '../../../../src/framework';
import { CLIENT_SCRIPT_PATH, renderIndexPage } from '../../../../src/modules/web/page';
import { CONNECTION_LABELS } from '../../../../src/modules/web/page-script';
import { WebConfig } from '../../../../src/modules/web/web.config';
import { WebController } from '../../../../src/modules/web/web.controller';

const GET = (path: string) => ({ method: 'GET', path, path_params: {}, query_params: {}, headers: {}, body: null });

describe('renderIndexPage', () => {
  it('embeds the stream settings as JSON the page script reads', () => {
    const html = renderIndexPage({ streamPort: 4312, streamUrl: null });
    expect(html).toContain('<script type="application/json" id="iii-config">{"streamPort":4312,"streamUrl":null}</script>');
  });

  it('escapes "<" so a configured value cannot close the script element', () => {
    const html = renderIndexPage({ streamPort: null, streamUrl: 'ws://x/</script><script>alert(1)</script>' });
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('\\u003c/script>');
  });

  it('loads the shared stream client and has the form, list and metrics the page needs', () => {
    const html = renderIndexPage({ streamPort: 3112, streamUrl: null });
    for (const fragment of [
      `<script src="${CLIENT_SCRIPT_PATH}">`,
      'id="add-form"',
      'id="todo-list"',
      'id="metric-total"',
      'id="metric-completed"',
      'id="metric-active"',
    ]) {
      expect(html).toContain(fragment);
    }
  });

  it('renders todo titles as text, never as HTML', () => {
    const html = renderIndexPage({ streamPort: 3112, streamUrl: null });
    expect(html).toContain('title.textContent = todo.title');
    expect(html).not.toMatch(/innerHTML/);
  });
});

const CONFIG = new AppConfig();

describe('WebConfig', () => {
  it('falls back to the configured III_STREAM_PORT when the engine does not say', () => {
    const config = new WebConfig({ worker: 'ws://engine:49134' }, loadConfig(AppConfig, { III_STREAM_PORT: '4242' }));
    expect(config.pageConfig().streamPort).toBe(4242);
  });

  it('points the page at the stream port of the engine the app uses', () => {
    const config = new WebConfig({ worker: 'ws://127.0.0.1:1', stream: 'ws://127.0.0.1:45679' }, CONFIG);
    expect(config.pageConfig().streamPort).toBe(45679);
  });

  it('takes the port of the engine stream URL and leaves the host to the page', () => {
    const config = new WebConfig({ worker: 'ws://127.0.0.1:1', stream: 'ws://0.0.0.0:45678' }, CONFIG);
    expect(config.pageConfig()).toEqual({ streamPort: 45678, streamUrl: null });
  });

  it('ignores an unparsable URL', () => {
    const before = new WebConfig({ worker: 'ws://127.0.0.1:1' }, CONFIG).pageConfig();
    const config = new WebConfig({ worker: 'ws://127.0.0.1:1', stream: 'not a url' }, CONFIG);
    expect(config.pageConfig()).toEqual(before);
  });

  it('passes an explicit public URL through', () => {
    const config = new WebConfig({ worker: 'ws://127.0.0.1:1' }, CONFIG);
    config.usePublicStreamUrl('wss://streams.example.com/');
    expect(config.pageConfig().streamUrl).toBe('wss://streams.example.com/');
  });
});

describe('WebController', () => {
  async function compile(config: WebConfig) {
    return Test.createTestingModule({ controllers: [WebController], providers: [WebConfig] })
      .overrideProvider(WebConfig)
      .useValue(config)
      .compile();
  }

  it('serves the page at GET / as HTML with the configured stream port', async () => {
    const config = new WebConfig({ worker: 'ws://127.0.0.1:1', stream: 'ws://127.0.0.1:5555' }, CONFIG);
    const module = await compile(config);

    const def = module.definition('web::index');
    const reply = (await def.invoke(GET('/'))) as { status_code: number; headers: Record<string, string>; body: string };

    expect(def.config).toEqual({ api_path: '/', http_method: 'GET' });
    expect(reply.status_code).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toContain('"streamPort":5555');
  });

  it('serves the stream client script as JavaScript', async () => {
    const module = await compile(new WebConfig({ worker: 'ws://127.0.0.1:1' }, CONFIG));

    const def = module.definition('web::stream-client');
    const reply = (await def.invoke(GET('assets/stream-client.js'))) as {
      status_code: number;
      headers: Record<string, string>;
      body: string;
    };

    expect(def.config).toEqual({ api_path: 'assets/stream-client.js', http_method: 'GET' });
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.body).toContain('root.IIIStreams = module.exports');
  });
});

describe('the page for people', () => {
  it('names connection states in words people use ("live", "reconnecting…"), never "open"', () => {
    expect(CONNECTION_LABELS).toMatchObject({ open: 'live', reconnecting: 'reconnecting…', closed: 'offline' });
    expect(Object.values(CONNECTION_LABELS)).not.toContain('open');
  });

  it('carries its favicon inline, so the browser requests none', () => {
    expect(renderIndexPage({ streamPort: 3112, streamUrl: null })).toMatch(
      /<link rel="icon" type="image\/svg\+xml" href="data:image\/svg\+xml,/,
    );
  });
});
