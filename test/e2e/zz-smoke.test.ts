import { startApp } from './support/app';
it('smoke', async () => {
  const a = await startApp();
  try {
    const r = await a.api.create('hello');
    console.log(r.status, r.text);
    console.log((await a.api.list()).text);
    console.log((await a.api.request('GET', '/')).status);
    await new Promise(r => setTimeout(r, 300));
    console.log((await a.api.metrics()).text);
    const bad = await a.api.request('POST', '/todos', undefined, { raw: '{bad' });
    console.log(bad.status, bad.text);
  } finally { await a.close(); }
});
