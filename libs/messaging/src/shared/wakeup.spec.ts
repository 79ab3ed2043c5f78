import { Wakeup } from './wakeup';

const HOUR = 3_600_000;

/** Starts `wakeup.sleep(…)`; `ended()` tells whether it resolved yet. */
function sleepOn(wakeup: Wakeup, minMs?: number) {
  let ended = false;
  const sleeping = wakeup.sleep(HOUR, undefined, minMs).then(() => (ended = true));
  return { sleeping, ended: () => ended };
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A sleep on `wakeup` that goes on until `wake()`, which ends it. */
async function sleepsUntilWoken(wakeup: Wakeup): Promise<void> {
  const sleep = sleepOn(wakeup);
  await pause(20);
  expect(sleep.ended()).toBe(false);
  wakeup.wake();
  await sleep.sleeping;
}

describe('Wakeup', () => {
  it('ends a sleep in progress', async () => {
    await sleepsUntilWoken(new Wakeup());
  });

  it('keeps a wake that came between two sleeps for the next one, and only for it', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();
    await wakeup.sleep(HOUR); // returns at once: the wake was kept
    await sleepsUntilWoken(wakeup);
  });

  it('after a wake, still sleeps until minMs have passed since the sleep began', async () => {
    const wakeup = new Wakeup();
    const sleep = sleepOn(wakeup, 200);
    wakeup.wake();
    await pause(50);
    expect(sleep.ended()).toBe(false);
    await sleep.sleeping; // at 200 ms, not after the hour
  });

  it('ends a sleep when its signal aborts', async () => {
    const abort = new AbortController();
    const sleeping = new Wakeup().sleep(HOUR, abort.signal);
    abort.abort();
    await sleeping;
    await new Wakeup().sleep(HOUR, abort.signal); // already aborted: at once
  });
});
