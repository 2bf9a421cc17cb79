// Unit tests provoke errors on purpose; their log lines would read like real
// failures in a green run. Everything logs through pino (Nest's Logger
// included), so one level silences it; LOG_LEVEL=debug npx jest ... shows it.
import { Logger } from '@nestjs/common';
import { PinoNestLogger } from '../../packages/nest-kit/src/logging/nest-logger';

process.env['LOG_LEVEL'] ??= 'silent';
Logger.overrideLogger(new PinoNestLogger());
