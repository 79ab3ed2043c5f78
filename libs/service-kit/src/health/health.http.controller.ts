import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { ProblemException, ProblemTypes } from '../http/problem-details';
import { ReadinessService, type ReadinessReport } from './readiness.service';

/** Liveness and readiness probes (public; not part of the documented API). */
@Public()
@ApiExcludeController()
@Controller('health')
export class HealthHttpController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; checks: ReadinessReport }> {
    const checks = await this.readiness.check();
    const failed = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    if (failed.length > 0) {
      throw new ProblemException({
        type: ProblemTypes.serviceUnavailable,
        title: 'Service not ready',
        status: 503,
        detail: `Failed readiness check(s): ${failed.join(', ')}.`,
        checks,
      });
    }
    return { status: 'ok', checks };
  }
}
