/**
 * Bench server: the framework on the embedded engine with ROUTES controllers, each one
 * `GET /r<i>/items/:id`. The route-count scenario compares 1 route with 1,000.
 */
import 'reflect-metadata';
import { Controller, Get, IIIFactory, Module, Param } from '../../src/framework';
import { announce } from '../peers/live';
import { untilStatus } from '../lib/engine';

function routeController(i: number): new () => object {
  @Controller(`r${i}`)
  class RouteController {
    @Get('items/:id')
    get(@Param('id') id: string): { route: number; id: string } {
      return { route: i, id };
    }
  }
  return RouteController;
}

async function main(): Promise<void> {
  const routes = Math.max(1, Number(process.env.ROUTES ?? 1));
  @Module({ controllers: Array.from({ length: routes }, (_, i) => routeController(i)) })
  class RoutesModule {}
  const app = await IIIFactory.create(RoutesModule, {
    logger: false,
    engine: { storage: 'memory', ephemeralPorts: true, host: '127.0.0.1' },
  });
  await app.listen();
  const http = (app.urls.http as string).replace(/\/$/, '');
  await untilStatus(`${http}/r${routes - 1}/items/1`, 200);
  announce({ http });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
