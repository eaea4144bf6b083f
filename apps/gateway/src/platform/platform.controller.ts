import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HttpMetrics } from '../http/http-metrics';
import { PLATFORM_INFO } from './platform-info';
import { Public } from '../auth/decorators';

@ApiTags('health')
@Public()
@Controller()
export class PlatformController {
  constructor(@Inject(HttpMetrics) private readonly metrics: HttpMetrics) {}

  @Get()
  @ApiOperation({ summary: 'Platform information' })
  info() {
    return PLATFORM_INFO;
  }

  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Answers pong' })
  ping() {
    return 'pong';
  }

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
