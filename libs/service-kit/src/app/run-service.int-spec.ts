import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort, startTestInfrastructure } from '@fulfil/testing';

// runService is tested as a real process: node with a small swc require hook (the same
// compiler options as Jest and the build) runs the fixture service's main.ts, so exit codes,
// stderr and signal handling are the real ones.
const HOOK = join(__dirname, '../testing/swc-require-hook.cjs');
const MAIN = join(__dirname, '../testing/fixture-main.fixture.ts');
const TOKEN = 'process-test-token-0123456789';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startService(env: Record<string, string>) {
  const child = spawn(process.execPath, ['-r', HOOK, MAIN], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited: Promise<Exit> = once(child, 'exit').then(([code]) => ({
    code: code as number | null,
    stdout,
    stderr,
  }));
  return { child, exited, output: () => stdout };
}

const VALID_ENV = {
  DATABASE_URL: 'postgres://127.0.0.1:1/fixture',
  KAFKA_BROKERS: '127.0.0.1:1',
  AUTH_TOKENS: JSON.stringify([{ caller: 'ops', token: TOKEN, scopes: [] }]),
};

describe('runService as a process', () => {
  it.each([
    [{ ...VALID_ENV, DATABASE_URL: '' }, 'DATABASE_URL is required but not set'],
    [{ ...VALID_ENV, PORT: '70000' }, 'PORT must be a whole number from 1 to 65535'],
    [
      {
        ...VALID_ENV,
        AUTH_TOKENS: JSON.stringify([{ caller: 'ops', token: 'tiny-secret', scopes: [] }]),
      },
      'AUTH_TOKENS entry 1 (caller "ops") needs a "token" of at least 16 characters',
    ],
  ])('exits 1 with one line naming a bad variable', async (env, message) => {
    const { code, stdout, stderr } = await startService(env).exited;
    expect(code).toBe(1);
    expect(stderr).toBe(`Configuration error: ${message}\n`);
    expect(stderr).not.toContain('tiny-secret');
    expect(stdout).toBe('');
  });

  it('starts, serves, and on SIGTERM finishes the in-flight request and exits 0', async () => {
    const infra = await startTestInfrastructure();
    try {
      const port = await freePort();
      const service = startService({
        ...VALID_ENV,
        DATABASE_URL: infra.postgresUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        PORT: String(port),
        HOST: '127.0.0.1',
        SHUTDOWN_GRACE_MS: '2000',
      });
      const deadline = Date.now() + 60_000;
      while (!service.output().includes('listening') && Date.now() < deadline) {
        if (service.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const listening = service
        .output()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => String(line['msg']).includes('listening'));
      expect(listening).toMatchObject({ service: 'fixture', url: `http://127.0.0.1:${port}` });

      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(live.status).toBe(200);

      const inFlight = fetch(`http://127.0.0.1:${port}/fixtures/slow?ms=700`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      service.child.kill('SIGTERM');
      const slow = await inFlight;
      expect(slow.status).toBe(200);
      expect(await slow.json()).toEqual({ waited: 700 });
      const { code, stdout } = await service.exited;
      expect(code).toBe(0);
      expect(stdout).toContain('"msg":"Stopped"');
    } finally {
      await infra.stop();
    }
  });
});
