/** The seam the data-channels issue plugs into: refs reach the function, hooks pick the reply. */
import type { HttpChannelHooks, HttpRequestChannels } from '../../../../../src/engine/workers/http';
import { startHttp, type HttpHarness } from './support/http-harness';

const refs: HttpRequestChannels['refs'] = {
  request_body: { channel_id: 'req', access_key: 'k1', direction: 'read' },
  response: { channel_id: 'res', access_key: 'k2', direction: 'write' },
};

describe('iii-http channels seam', () => {
  let http: HttpHarness;
  afterEach(async () => {
    await http.close();
  });

  it('adds the channel refs to the function payload, not to the condition input, and closes them', async () => {
    const opened: Buffer[] = [];
    let closed = 0;
    const hooks: HttpChannelHooks = {
      open: (rawBody) => {
        opened.push(rawBody);
        return { refs, respond: async (result) => ({ kind: 'result', value: await result }), close: () => void closed++ };
      },
    };
    http = await startHttp({}, hooks);
    http.ctx.handle('cond', () => true).handle('f', () => ({ status_code: 201, body: 'ok' }));
    await http.route({ api_path: 'up', http_method: 'POST', condition_function_id: 'cond' }, 'f');
    const res = await fetch(`${http.url}/up`, { method: 'POST', body: 'raw bytes' });
    expect(res.status).toBe(201);
    expect(opened.map((b) => b.toString())).toEqual(['raw bytes']);
    expect(http.ctx.invocationsOf('f')[0].data).toMatchObject(refs);
    expect(http.ctx.invocationsOf('cond')[0].data).not.toHaveProperty('request_body');
    expect(closed).toBe(1);
  });

  it('lets the hooks write a streamed reply themselves', async () => {
    const hooks: HttpChannelHooks = {
      open: () => ({
        refs,
        respond: async (result, res) => {
          await result;
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('streamed');
          return { kind: 'streamed' };
        },
        close: () => undefined,
      }),
    };
    http = await startHttp({}, hooks);
    http.ctx.handle('f', () => undefined);
    await http.route({ api_path: 's' }, 'f');
    const res = await fetch(`${http.url}/s`);
    expect(await res.text()).toBe('streamed');
  });
});
