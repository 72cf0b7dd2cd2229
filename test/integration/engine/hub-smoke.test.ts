import { TestHarness, waitForFunctions } from '../support/engine';

describe('hub smoke', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await TestHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('routes a call from one SDK worker to a function of another', async () => {
    const a = h.worker('a');
    const b = h.worker('b');
    b.registerFunction('b::echo', async (data: unknown) => ({ echoed: data }));
    await waitForFunctions(a, ['b::echo']);
    const result = await a.trigger({ function_id: 'b::echo', payload: { x: 1 } });
    expect(result).toMatchObject({ echoed: { x: 1 } });
  });
});
