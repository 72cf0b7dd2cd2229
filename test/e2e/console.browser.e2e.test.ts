/**
 * The dev console in Chromium, beside the reference app: it lists the app's worker, functions and
 * triggers, shows invocations as they happen (with their timings and errors), stream subscribers,
 * a state scope's items updating live, and draws the throughput chart. Screenshots go to
 * test-output/screenshots/. Skipped like the page's browser test when Chromium is missing.
 */
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { StreamClient } from '#framework';
import { browserSkipReason, launchBrowser, screenshot, type Browser } from './support/browser';
import { startApp, type RunningApp } from './support/app';

/** The console pushes about once a second; allow a few pushes on a loaded machine. */
const LIVE_MS = 5000;

const skipReason = browserSkipReason();

if (skipReason !== null) {
  describe('dev console in a browser', () => {
    it.skip(`skipped: ${skipReason}`, () => undefined);
  });
} else {
  describe('dev console in a browser', () => {
    let app: RunningApp;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      app = await startApp({ console: true });
      browser = await launchBrowser();
      page = await browser.context.newPage();
      await page.goto(app.app.urls.console as string);
      await page.locator('#status[data-live="true"]').waitFor({ timeout: 10_000 });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    const post = (title: unknown): Promise<Response> =>
      fetch(`${app.http}/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });

    it("lists the app's worker, its functions and their triggers", async () => {
      await page.locator('#workers td', { hasText: 'todo-app' }).first().waitFor({ timeout: LIVE_MS });
      await page.locator('#functions td', { hasText: 'todos::create' }).first().waitFor({ timeout: LIVE_MS });
      await page.locator('#triggers td', { hasText: 'todos::create' }).first().waitFor({ timeout: LIVE_MS });
    });

    it('shows invocations as they happen with their timings, and draws them on the chart', async () => {
      expect((await post('seen by the console')).status).toBe(201);
      await page.locator('#invocations tr', { hasText: 'todos::create' }).first().waitFor({ timeout: LIVE_MS });
      await page
        .locator('#invocations tr', { hasText: /todos::create\s*\d+\.\d\d/ })
        .first()
        .waitFor({ timeout: LIVE_MS });
      await page.waitForFunction(
        () => {
          const canvas = document.getElementById('chart') as HTMLCanvasElement;
          const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
          return false;
        },
        undefined,
        { timeout: LIVE_MS },
      );
      await screenshot(page, 'console-invocations');
    });

    it('lists stream subscribers per group', async () => {
      const client = new StreamClient(app.stream, { WebSocket });
      const sub = client.join({ stream: 'todos-live', group: 'all' });
      try {
        expect(await sub.synced).toBe(true);
        await page.locator('#subscribers tr', { hasText: 'todos-live' }).first().waitFor({ timeout: LIVE_MS });
      } finally {
        sub.leave();
        client.close();
      }
    });

    it("browses a state scope's items and follows new writes live", async () => {
      await page.locator('#scope option[value="todos"]').waitFor({ state: 'attached', timeout: LIVE_MS });
      await page.selectOption('#scope', 'todos');
      await page.locator('#items td', { hasText: 'seen by the console' }).first().waitFor({ timeout: LIVE_MS });
      expect((await post('arrives while watching')).status).toBe(201);
      await page.locator('#items td', { hasText: 'arrives while watching' }).first().waitFor({ timeout: LIVE_MS });
      await screenshot(page, 'console-state');
    });

    it('shows reaction lag per cursor', async () => {
      await page.locator('#cursors td', { hasText: 'todos-live::mirror' }).first().waitFor({ timeout: LIVE_MS });
    });
  });
}
