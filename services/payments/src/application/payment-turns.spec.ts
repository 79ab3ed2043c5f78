import { PaymentTurns } from './payment-turns';

/** A piece of work that runs until `finish` (or `fail`) is called, logging when it starts. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const work = () => {
    log.push(`${name} started`);
    return new Promise<string>((resolve, reject) => {
      finish = () => resolve(name);
      fail = reject;
    });
  };
  return { work, finish: () => finish(), fail: (error: Error) => fail(error) };
}

/** Gated pieces of work, one per name, logging into one shared log when each starts. */
function gates(...names: string[]) {
  const log: string[] = [];
  return { log, works: names.map((name) => gate(log, name)) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PaymentTurns', () => {
  it('runs the work on one payment one at a time, in arrival order', async () => {
    const turns = new PaymentTurns();
    const {
      log,
      works: [first, second, third],
    } = gates('first', 'second', 'third');
    const results = [first, second, third].map((g) => turns.run('pay-1', g.work));
    await settle();
    expect(log).toEqual(['first started']);
    first.finish();
    await expect(results[0]).resolves.toBe('first');
    await settle();
    expect(log).toEqual(['first started', 'second started']);
    second.finish();
    await settle();
    third.finish();
    await expect(Promise.all(results)).resolves.toEqual(['first', 'second', 'third']);
    expect(turns.size).toBe(0);
  });

  it('runs the work on different payments side by side', async () => {
    const turns = new PaymentTurns();
    const {
      log,
      works: [one, other],
    } = gates('one', 'other');
    const results = [turns.run('pay-1', one.work), turns.run('pay-2', other.work)];
    await settle();
    expect(log).toEqual(['one started', 'other started']);
    expect(turns.size).toBe(2);
    other.finish();
    one.finish();
    await Promise.all(results);
    expect(turns.size).toBe(0);
  });

  it('hands a failure to its caller only, and the next work still gets its turn', async () => {
    const turns = new PaymentTurns();
    const {
      log,
      works: [failing, next],
    } = gates('failing', 'next');
    const failed = turns.run('pay-1', failing.work);
    const after = turns.run('pay-1', next.work);
    await settle();
    failing.fail(new Error('provider down'));
    await expect(failed).rejects.toThrow('provider down');
    await settle();
    expect(log).toEqual(['failing started', 'next started']);
    next.finish();
    await expect(after).resolves.toBe('next');
    expect(turns.size).toBe(0);
  });
});
