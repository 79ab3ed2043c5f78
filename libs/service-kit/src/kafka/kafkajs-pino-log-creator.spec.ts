import { Writable } from 'node:stream';
import { logLevel, type LogEntry } from 'kafkajs';
import pino from 'pino';
import { kafkajsPinoLogCreator, REPEAT_WINDOW_MS } from './kafkajs-pino-log-creator';

interface Line {
  level: number;
  component: string;
  msg: string;
  broker?: string;
  suppressed?: number;
}

function capture() {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Line);
      done();
    },
  });
  let clock = 0;
  const log = kafkajsPinoLogCreator(pino({ level: 'debug' }, sink), () => clock)(logLevel.WARN);
  const entry = (level: logLevel, message: string, namespace = 'Connection'): LogEntry => ({
    namespace,
    level,
    label: 'ERROR',
    log: { timestamp: '', message, broker: '127.0.0.1:9092' },
  });
  return {
    lines,
    log: (level: logLevel, message: string, namespace?: string) =>
      log(entry(level, message, namespace)),
    advance: (ms: number) => (clock += ms),
  };
}

const REFUSED = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092';

describe('kafkajsPinoLogCreator', () => {
  it('keeps kafkajs levels, message and fields, under component kafkajs', () => {
    const { lines, log } = capture();
    log(logLevel.ERROR, REFUSED);
    log(logLevel.WARN, 'Limiting retries for the idempotent producer');
    log(logLevel.INFO, 'Consumer has joined the group');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        component: 'kafkajs',
        msg: REFUSED,
        broker: '127.0.0.1:9092',
      }),
      expect.objectContaining({ level: 40, msg: 'Limiting retries for the idempotent producer' }),
      expect.objectContaining({ level: 30, msg: 'Consumer has joined the group' }),
    ]);
    expect(lines[0]).not.toHaveProperty('suppressed');
  });

  it('writes an entry repeated while a broker is away once per window, then says how many it held back', () => {
    const { lines, log, advance } = capture();
    for (let attempt = 0; attempt < 150; attempt += 1) {
      log(logLevel.ERROR, REFUSED);
      advance(20); // 3 s of reconnection attempts
    }
    expect(lines.map((line) => line.msg)).toEqual([REFUSED]);

    advance(REPEAT_WINDOW_MS);
    log(logLevel.ERROR, REFUSED);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 50, msg: REFUSED, suppressed: 149 });
  });

  it('tells kinds apart by level, namespace and message', () => {
    const { lines, log } = capture();
    log(logLevel.ERROR, REFUSED);
    log(logLevel.WARN, REFUSED);
    log(logLevel.ERROR, REFUSED, 'BrokerPool');
    log(logLevel.ERROR, 'Connection error: read ECONNRESET');
    log(logLevel.ERROR, REFUSED);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [50, REFUSED],
      [40, REFUSED],
      [50, REFUSED],
      [50, 'Connection error: read ECONNRESET'],
    ]);
  });
});
