import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

// How fast the machine is today, so figures of different days can be compared. On a shared
// virtual machine the same code at the same commit has cost 21 ms of CPU per order one day and
// 47 ms another: a benchmark that prints these two reference figures next to its own says
// whether the code or the machine changed.

/** Two reference figures of the machine; lower is faster. */
export interface MachineSpeed {
  /**
   * CPU ms of a fixed piece of JavaScript work: JSON out and in plus a SHA-256 of an
   * order-sized document, repeated; the median of three runs.
   */
  readonly computeMs: number;
  /**
   * CPU µs of one request and answer over loopback TCP between two processes, both sides
   * counted: the wake-ups and system calls every database statement and broker request pays.
   */
  readonly roundTripCpuMicros: number;
  /** Wall-clock µs of the same round trip. */
  readonly roundTripWallMicros: number;
  /** The share of `roundTripCpuMicros` the echoing process used (0–1). */
  readonly echoShare: number;
}

/** Options of {@link measureMachineSpeed}; the defaults take about a second in all. */
export interface MachineSpeedOptions {
  /** Repetitions of the compute piece per run. Default 20 000. */
  readonly computeRepetitions?: number;
  /** Sequential round trips. Default 3000. */
  readonly roundTrips?: number;
}

const REFERENCE_DOCUMENT = {
  channel: 'web',
  customerId: 'reference-customer',
  lines: Array.from({ length: 3 }, (_, i) => ({
    skuId: `reference-sku-${i}`,
    quantity: i + 1,
    unitPrice: { amountMinor: 1999, currency: 'CNY' },
  })),
  deliveryAddress: { recipientName: 'Reference', addressLine1: '1 Reference Road', city: 'SZ' },
};

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

function computeRunMs(repetitions: number): number {
  const before = process.cpuUsage();
  let digest = '';
  for (let i = 0; i < repetitions; i += 1) {
    const text = JSON.stringify({ ...REFERENCE_DOCUMENT, sequence: i, previous: digest });
    digest = createHash('sha256')
      .update(JSON.parse(text).previous + text)
      .digest('hex');
  }
  return cpuMicros(process.cpuUsage(before)) / 1000;
}

/**
 * The echo side, run by `node -e`: answers each byte with itself; `q` makes it answer with
 * the CPU it used since its first byte (its start-up is not counted) and exit.
 */
const ECHO_SCRIPT = `
const server = require('node:net').createServer((socket) => {
  socket.setNoDelay(true);
  let base;
  socket.on('data', (chunk) => {
    base ??= process.cpuUsage();
    if (chunk[chunk.length - 1] === 113) {
      const used = process.cpuUsage(base);
      socket.end(JSON.stringify(used.user + used.system), () => process.exit(0));
    } else socket.write(chunk);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function roundTrips(count: number): Promise<Omit<MachineSpeed, 'computeMs'>> {
  const echo = spawn(process.execPath, ['-e', ECHO_SCRIPT], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let socket: Socket | undefined;
  try {
    const echoExited = once(echo, 'exit').then(([code]) => {
      throw new Error(`the echo process exited (${String(code)}) before it listened`);
    });
    echoExited.catch(() => undefined); // its normal exit at the end is no error
    const [portLine] = (await Promise.race([once(echo.stdout, 'data'), echoExited])) as [Buffer];
    socket = connect(Number(portLine.toString().trim()), '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    const answers = socket;
    const nextAnswer = () => once(answers, 'data') as Promise<[Buffer]>;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i += 1) {
      const answer = nextAnswer();
      socket.write('p');
      await answer;
    }
    const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
    const ownMicros = cpuMicros(process.cpuUsage(cpuBefore));
    const echoReport = nextAnswer();
    socket.write('q');
    const echoMicros = Number((await echoReport)[0].toString());
    const total = ownMicros + echoMicros;
    return {
      roundTripCpuMicros: total / count,
      roundTripWallMicros: wallMicros / count,
      echoShare: total > 0 ? echoMicros / total : 0,
    };
  } finally {
    socket?.destroy();
    if (echo.exitCode === null && echo.signalCode === null) {
      const exited = once(echo, 'exit');
      echo.kill();
      await exited;
    }
  }
}

/**
 * Measures the machine's two reference figures (Linux or not; nothing but Node). Run it
 * before the system under test starts, so the figures are the machine's, not its load's.
 */
export async function measureMachineSpeed(
  options: MachineSpeedOptions = {},
): Promise<MachineSpeed> {
  const repetitions = options.computeRepetitions ?? 20_000;
  computeRunMs(repetitions); // V8 compiles the loop on the first run; not counted.
  const runs = [computeRunMs(repetitions), computeRunMs(repetitions), computeRunMs(repetitions)];
  const computeMs = runs.sort((a, b) => a - b)[1]!;
  return { computeMs, ...(await roundTrips(options.roundTrips ?? 3000)) };
}
