import { hostname } from 'node:os';

import { Controller, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';

import { PING_PATTERN, type PingReply, type ServiceName } from '@tenantbot/contracts';

/** Builds the controller that answers `<service>.ping` for the gateway's /health. */
export function pingControllerFor(service: ServiceName): Type<unknown> {
  const instance = `${hostname()}:${process.pid}`;

  @Controller()
  class PingController {
    @MessagePattern(PING_PATTERN[service])
    ping(): PingReply {
      return { service, instance, uptime_s: Math.round(process.uptime()) };
    }
  }
  return PingController;
}
