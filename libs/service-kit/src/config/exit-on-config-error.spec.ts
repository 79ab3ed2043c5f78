import { configOrExit } from './exit-on-config-error';
import { loadServiceConfig } from './service-config';

const FIXTURE_CATALOG = {
  name: 'fixture',
  defaultPort: 3999,
  topic: 'fixture.events',
  database: 'fixture',
};

describe('configOrExit', () => {
  const target = () => {
    const lines: string[] = [];
    const codes: number[] = [];
    return {
      lines,
      codes,
      stderr: { write: (line: string) => lines.push(line) },
      exit: (code: number) => void codes.push(code),
    };
  };

  it('returns the configuration when it is valid', () => {
    const t = target();
    expect(configOrExit(() => 42, t)).toBe(42);
    expect(t.lines).toEqual([]);
  });

  it('prints one line naming the variable and exits 1', () => {
    const t = target();
    expect(() =>
      configOrExit(() => loadServiceConfig({ catalog: FIXTURE_CATALOG }, {}), t),
    ).toThrow();
    expect(t.lines).toEqual(['Configuration error: DATABASE_URL is required but not set\n']);
    expect(t.codes).toEqual([1]);
  });

  it('rethrows errors that are not configuration errors', () => {
    const t = target();
    expect(() =>
      configOrExit(() => {
        throw new Error('bug');
      }, t),
    ).toThrow('bug');
    expect(t.codes).toEqual([]);
  });
});
