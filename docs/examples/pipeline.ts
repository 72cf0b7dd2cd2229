/** Pipes, interceptors and exception filters around a controller's methods. */
import {
  Catch,
  Controller,
  Get,
  HttpResult,
  Injectable,
  Module,
  NotFoundException,
  Param,
  ParseIntPipe,
  UseFilters,
  UseInterceptors,
  type CallHandler,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '#framework';

// #region interceptor
/** Adds how long the method took to every result: code before and after `next.handle()`. */
@Injectable()
export class TimingInterceptor implements NestInterceptor {
  async intercept(_context: ExecutionContext, next: CallHandler): Promise<{ result: unknown; ms: number }> {
    const started = performance.now();
    const result = await next.handle();
    return { result, ms: Math.round(performance.now() - started) };
  }
}
// #endregion interceptor

// #region filter
/** The one place that decides what a missing book looks like to clients. */
@Catch(NotFoundException)
export class MissingBookFilter implements ExceptionFilter<NotFoundException> {
  catch(exception: NotFoundException): HttpResult<{ missing: string }> {
    return new HttpResult(404, { missing: exception.message }, { 'cache-control': 'no-store' });
  }
}
// #endregion filter

// #region controller
const BOOKS = ['Dune', 'Emma', 'Ulysses'];

@Controller('books')
@UseInterceptors(TimingInterceptor) // every method of the controller
@UseFilters(MissingBookFilter)
export class BooksController {
  @Get(':n') // GET /books/2 → { result: "Emma", ms: 0 }; /books/x → 400; /books/9 → 404 { missing }
  find(@Param('n', ParseIntPipe) n: number): string {
    const book = BOOKS[n - 1];
    if (book === undefined) throw new NotFoundException(`no book number ${n}`);
    return book;
  }
}
// #endregion controller

@Module({ controllers: [BooksController], providers: [TimingInterceptor, MissingBookFilter] })
export class BooksModule {}
