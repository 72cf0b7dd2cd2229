import { Controller, Event, Get, OnStateChange, Stream, type StateChangeEvent } from '#framework';
import { TODOS_SCOPE, TODOS_STREAM, type Todo } from '../todos/todo.entity';
import { METRICS_GROUP, METRICS_KEY, type TodoMetrics } from './metrics.entity';
import { MetricsService } from './metrics.service';

/**
 * `GET /todos/metrics` reads the counts; `recount` keeps them, as a reaction to every write in
 * scope `todos`, and publishes them to `todos-live` / `metrics` / `global`. It is independent of the
 * stream mirror: either can fail or be removed without touching the other.
 */
@Controller('todos')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics', { functionId: 'metrics::get' })
  get(): Promise<TodoMetrics> {
    return this.metrics.current();
  }

  @OnStateChange(TODOS_SCOPE, { functionId: 'metrics::recount' })
  @Stream<TodoMetrics>(TODOS_STREAM, { group: METRICS_GROUP, mode: 'item', id: () => METRICS_KEY })
  recount(@Event() event: StateChangeEvent<Todo>): Promise<TodoMetrics | undefined> {
    return this.metrics.apply(event);
  }
}
