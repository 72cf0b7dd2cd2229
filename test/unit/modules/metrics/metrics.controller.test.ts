import { StreamService, Test, type TestingModule } from '../../../../src/framework';
import { MetricsController } from '../../../../src/modules/metrics/metrics.controller';
import { MetricsService } from '../../../../src/modules/metrics/metrics.service';
import { fakeOf, RecordingStreamService, stateEvent } from '../support/fakes';

describe('MetricsController', () => {
  let module: TestingModule;
  let streams: RecordingStreamService;
  const metrics = { current: jest.fn(), apply: jest.fn() };

  beforeEach(async () => {
    metrics.current.mockReset();
    metrics.apply.mockReset();
    streams = new RecordingStreamService();
    module = await Test.createTestingModule({ controllers: [MetricsController], providers: [MetricsService] })
      .overrideProvider(MetricsService)
      .useValue(fakeOf<MetricsService>(metrics))
      .overrideProvider(StreamService)
      .useValue(fakeOf<StreamService>(streams))
      .compile();
  });

  it('serves GET /todos/metrics from the stored counts', async () => {
    metrics.current.mockResolvedValue({ total: 3, completed: 1, active: 2 });

    const def = module.definition('metrics::get');
    const reply = await def.invoke({ method: 'GET', path: 'todos/metrics', path_params: {}, query_params: {}, headers: {}, body: null });

    expect(def.config).toEqual({ api_path: 'todos/metrics', http_method: 'GET' });
    expect(reply).toEqual({ status_code: 200, body: { total: 3, completed: 1, active: 2 } });
  });

  it('recounts on every change of scope "todos" and publishes to todos-live / metrics / global', async () => {
    metrics.apply.mockResolvedValue({ total: 1, completed: 0, active: 1 });
    const event = stateEvent('todos', 'a', null, { id: 'a' });

    const def = module.definition('metrics::recount');
    await def.invoke(event);

    expect([def.triggerType, def.config]).toEqual(['state', { scope: 'todos' }]);
    expect(metrics.apply).toHaveBeenCalledWith(event);
    expect(streams.calls).toEqual([
      { op: 'set', stream: 'todos-live', group: 'metrics', id: 'global', data: { total: 1, completed: 0, active: 1 } },
    ]);
  });

  it('publishes nothing when the counts did not move', async () => {
    metrics.apply.mockResolvedValue(undefined);

    await module.definition('metrics::recount').invoke(stateEvent('todos', 'a', { id: 'a' }, { id: 'a' }));

    expect(streams.calls).toEqual([]);
  });
});
