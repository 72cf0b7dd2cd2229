/** Framework-level scenario: a decorator-driven handler against a raw iii-sdk one on the same engine. */
import type { IIIClient } from 'iii-sdk';
import {
  Controller,
  Get,
  III_CLIENT,
  IIIFactory,
  Module,
  Param,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type CanActivate,
  type ExceptionFilter,
  type NestInterceptor,
  type PipeTransform,
} from '../../src/framework';
import { untilStatus } from '../lib/engine';
import { runLoad, type BenchResult } from '../lib/measure';

/** The cheapest enhancer of each kind: what the pipeline itself costs, not what an enhancer does. */
const allow: CanActivate = { canActivate: () => true };
const around: NestInterceptor = { intercept: (_context, next) => next.handle() };
const same: PipeTransform = { transform: (value) => value };
const rethrow: ExceptionFilter = {
  catch: (error) => {
    throw error;
  },
};

@Controller('fw')
class PingController {
  @Get('ping/:id')
  ping(@Param('id') id: string): { pong: string } {
    return { pong: id };
  }

  /** The same method behind a guard, an interceptor, a parameter pipe and an exception filter. */
  @Get('piped/:id')
  @UseGuards(allow)
  @UseInterceptors(around)
  @UseFilters(rethrow)
  piped(@Param('id', same) id: string): { pong: string } {
    return { pong: id };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

/**
 * The same handler twice on one engine: once as a framework controller method (`@Get` + `@Param`,
 * result mapping), once registered by hand with iii-sdk. The difference is the framework's cost.
 */
export async function frameworkOverhead(concurrency: number, operations: number): Promise<BenchResult[]> {
  const app = await IIIFactory.create(PingModule, {
    logger: false,
    engine: { storage: 'memory', ephemeralPorts: true, host: '127.0.0.1' },
  });
  try {
    await app.listen();
    const client = app.get<IIIClient>(III_CLIENT);
    client.registerFunction('raw::ping', async (request: { path_params: { id: string } }) => ({
      status_code: 200,
      body: { pong: request.path_params.id },
    }));
    client.registerTrigger({ type: 'http', function_id: 'raw::ping', config: { api_path: 'raw/ping/:id', http_method: 'GET' } });
    const base = app.urls.http as string;
    await untilStatus(`${base}/raw/ping/1`, 200);
    await untilStatus(`${base}/fw/ping/1`, 200);
    await untilStatus(`${base}/fw/piped/1`, 200);
    const hit = (path: string) => async (i: number) => {
      const response = await fetch(`${base}/${path}/${i}`);
      await response.arrayBuffer();
    };
    // Alternate short rounds so all see the same machine state; report each one's median round.
    // Round 0 of each is a warm-up, not counted: the first round ran the whole path cold (the
    // hand-written handler, measured first, took about half its warm rate in one run).
    const rounds = 5;
    const raw: BenchResult[] = [];
    const fw: BenchResult[] = [];
    const piped: BenchResult[] = [];
    const perRound = Math.max(50, Math.floor(operations / rounds));
    for (let r = 0; r <= rounds; r++) {
      if (r === 1) for (const results of [raw, fw, piped]) results.length = 0;
      raw.push(
        await runLoad('http-raw-sdk-handler', 'GET /raw/ping/:id handled by a hand-registered iii-sdk function', hit('raw/ping'), {
          operations: perRound,
          concurrency,
        }),
      );
      fw.push(
        await runLoad('http-framework-handler', 'GET /fw/ping/:id handled by a @Controller/@Get/@Param method', hit('fw/ping'), {
          operations: perRound,
          concurrency,
        }),
      );
      piped.push(
        await runLoad(
          'http-framework-pipeline',
          'GET /fw/piped/:id: the same method with a guard, an interceptor, a pipe and a filter',
          hit('fw/piped'),
          { operations: perRound, concurrency },
        ),
      );
    }
    return [median(raw), median(fw), median(piped)];
  } finally {
    await app.close();
  }
}

/** The round with the median throughput, annotated with every round's ops/s. */
function median(results: BenchResult[]): BenchResult {
  const sorted = [...results].sort((a, b) => a.opsPerSecond - b.opsPerSecond);
  const middle = sorted[Math.floor(sorted.length / 2)] as BenchResult;
  return { ...middle, extra: { ...middle.extra, roundsOpsPerSecond: results.map((r) => r.opsPerSecond).join(' / ') } };
}
