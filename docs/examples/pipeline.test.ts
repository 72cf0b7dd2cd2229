/** Runs the pipeline example of the triggers guide on the embedded engine. */
import { createTestApp, type TestApp } from '#framework';
import { BooksModule } from './pipeline';

describe('the pipeline example, run', () => {
  let testApp: TestApp;
  let base: string;

  beforeAll(async () => {
    testApp = await createTestApp(BooksModule);
    base = String(testApp.urls.http).replace(/\/$/, '');
  });
  afterAll(() => testApp.close());

  it('parses the parameter, times the call, and maps a missing book through the filter', async () => {
    const found = await fetch(`${base}/books/2`);
    expect(await found.json()).toEqual({ result: 'Emma', ms: expect.any(Number) });

    const notANumber = await fetch(`${base}/books/two`);
    expect(notANumber.status).toBe(400);

    const missing = await fetch(`${base}/books/9`);
    expect([missing.status, missing.headers.get('cache-control'), await missing.json()]).toEqual([
      404,
      'no-store',
      { missing: 'no book number 9' },
    ]);
  });
});
