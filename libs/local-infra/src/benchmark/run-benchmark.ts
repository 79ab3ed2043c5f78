/** Options of {@link runBenchmark}. */
export interface RunBenchmarkOptions {
  /** Give up (exit 1) when the benchmark has not finished by then. */
  readonly abortAfterMs: number;
  /** Stops what the benchmark started (servers, children, temporary files); runs once. */
  readonly cleanup: () => Promise<void>;
}

/**
 * Runs a benchmark script's body so that it never leaves servers behind: Ctrl-C / SIGTERM,
 * an error or the time limit all run `cleanup` once and exit (130, 143, 1, 1); a second
 * signal exits at once. Success exits 0 after `cleanup`.
 */
export async function runBenchmark(
  options: RunBenchmarkOptions,
  body: () => Promise<void>,
): Promise<never> {
  let finishing: Promise<never> | undefined;
  const finish = (code: number): Promise<never> =>
    (finishing ??= (async () => {
      try {
        await options.cleanup();
      } catch (error) {
        console.error('cleaning up:', (error as Error).message);
      }
      process.exit(code);
    })());
  const onSignal = (signal: NodeJS.Signals, code: number): void => {
    if (finishing) process.exit(code);
    console.error(`benchmark interrupted (${signal}): stopping`);
    void finish(code);
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  setTimeout(() => {
    console.error(`benchmark aborted: not finished after ${options.abortAfterMs / 1000} s`);
    void finish(1);
  }, options.abortAfterMs).unref();
  try {
    await body();
  } catch (error) {
    if (!finishing) console.error('benchmark failed:', error);
    return finish(1);
  }
  return finish(0);
}
