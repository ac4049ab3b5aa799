/**
 * The framework ceiling for `npm run bench:http`: a minimal NestJS + Express app with one
 * ValidationPipe-guarded POST route that returns a constant. It does what any Nest service must
 * do per request (parse JSON, route, transform and validate a DTO, serialise JSON) and nothing
 * else: no logging, no metrics, no security headers, no model.
 *
 * Run as a child process by the benchmark: `node dist/bench/ceiling-app.js <port>`; it listens on
 * 127.0.0.1 only and sends `{ ready: port }` over IPC when listening.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ArrayNotEmpty, IsArray, IsNumber } from 'class-validator';

/** The same body shape as `POST /predict` with `data`. */
class CeilingRequestDto {
  @IsArray()
  @ArrayNotEmpty()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  data!: number[];
}

const CONSTANT = Object.freeze({ prediction_score: 1, is_anomaly: false });

@Controller()
class CeilingController {
  /** Validates the body and answers a constant. */
  @Post('predict')
  @HttpCode(200)
  predict(@Body() _body: CeilingRequestDto): typeof CONSTANT {
    return CONSTANT;
  }
}

@Module({ controllers: [CeilingController] })
class CeilingModule {}

/** Starts the ceiling app on 127.0.0.1:`port`; resolves with the app and the bound port. */
export async function startCeilingApp(
  port: number,
): Promise<{ app: NestExpressApplication; port: number }> {
  const app = await NestFactory.create<NestExpressApplication>(CeilingModule, { logger: false });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, port: address.port };
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? 0);
  startCeilingApp(Number.isInteger(port) ? port : 0).then(
    ({ app, port: bound }) => {
      const stop = (): void => void app.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      if (process.send) process.send({ ready: bound });
      else console.log(`ceiling app listening on 127.0.0.1:${bound}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
