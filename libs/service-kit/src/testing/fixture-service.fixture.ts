import { Body, Controller, Get, HttpCode, Module, Post, Query } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { Caller, RequireScopes } from '../auth/auth.decorators';
import type { ServiceDefinition } from '../service-definition';

// A test-only service: one DTO-validated route that needs a scope, one that fails with a
// bug, so the kit's int-spec exercises validation, auth and problem details end to end.

class FixtureLineDto {
  @ApiProperty() @IsString() @MinLength(1) sku!: string;
  @ApiProperty() @IsInt() @Min(1) quantity!: number;
}

class CreateFixtureDto {
  @ApiProperty() @IsString() @MinLength(1) reference!: string;
  @ApiProperty({ type: [FixtureLineDto] })
  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @Type(() => FixtureLineDto)
  lines!: FixtureLineDto[];
}

@Controller('fixtures')
class FixtureHttpController {
  @Post()
  @HttpCode(201)
  @RequireScopes('fixtures:write')
  create(@Body() body: CreateFixtureDto, @Caller() caller: string | undefined) {
    return {
      reference: body.reference,
      lines: body.lines.length,
      caller,
      isDto: body instanceof CreateFixtureDto,
    };
  }

  /** Answers after `ms` milliseconds: an in-flight request for shutdown tests. */
  @Get('slow')
  async slow(@Query('ms') ms: string): Promise<{ waited: number }> {
    const waited = Math.min(Number(ms) || 0, 5_000);
    await new Promise((resolve) => setTimeout(resolve, waited));
    return { waited };
  }

  @Get('boom')
  boom(): never {
    throw new Error('fixture bug: secret internals');
  }
}

@Module({ controllers: [FixtureHttpController] })
class FixtureModule {}

export const FIXTURE_SCOPES = {
  'fixtures:read': 'Read fixtures',
  'fixtures:write': 'Create fixtures',
};

/** The fixture service; its catalog entry has the shape of `SERVICE_CATALOG`'s. */
export const fixtureDefinition: ServiceDefinition = {
  catalog: { name: 'fixture', defaultPort: 3999, topic: 'fixture.events', database: 'fixture' },
  title: 'Fixture service',
  description: 'Test-only service of the service kit.',
  module: FixtureModule,
  scopes: FIXTURE_SCOPES,
};
