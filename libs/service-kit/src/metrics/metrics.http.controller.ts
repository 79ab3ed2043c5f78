import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { HttpMetrics } from './http-metrics';

/** Prometheus scrape endpoint (public). */
@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsHttpController {
  constructor(private readonly metrics: HttpMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
