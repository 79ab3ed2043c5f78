import { readFileSync } from 'node:fs';
import { childProcesses } from './cpu-meter';
import { measureMachineSpeed } from './machine-speed';

/** Command lines of this process' live children. */
function childCommands(): string[] {
  return [...childProcesses(process.pid).keys()].map((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return ''; // gone since
    }
  });
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
