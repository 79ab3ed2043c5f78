import { execFileSync } from 'node:child_process';
import { measureMachineSpeed } from './machine-speed';

/** Command lines of this process' live children (`ps`, Linux and macOS alike). */
function childCommands(): string[] {
  try {
    return execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '');
  } catch {
    return []; // ps exits 1 when there is no child
  }
}

describe('measureMachineSpeed', () => {
  it('counts the CPU of both sides of the round trip and leaves no echo process behind', async () => {
    const speed = await measureMachineSpeed({ computeRepetitions: 500, roundTrips: 200 });

    // The echo's own report is part of the figure: neither side's share is missing.
    expect(speed.echoShare).toBeGreaterThan(0);
    expect(speed.echoShare).toBeLessThan(1);
    expect(speed.roundTripCpuMicros).toBeGreaterThan(0);
    expect(speed.roundTripWallMicros).toBeGreaterThan(0);
    expect(speed.computeMs).toBeGreaterThan(0);
    expect(childCommands().filter((command) => command.includes('createServer'))).toEqual([]);
  });
});
