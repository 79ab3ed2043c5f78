import { readdirSync, readFileSync } from 'node:fs';
import { measureMachineSpeed } from './machine-speed';

/** Command lines of this process' live children (/proc: no `ps`, which a slim image lacks). */
function childCommands(): string[] {
  const commands: string[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
      if (parent === process.pid) {
        commands.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '));
      }
    } catch {
      // gone between the listing and the read
    }
  }
  return commands;
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
