export { loadConfig, parseByteSize, toAppConfig, type AppConfig } from './app.config';
export { configModule } from './config.module';
export {
  ConfigValidationError,
  EnvironmentVariables,
  LOG_LEVELS,
  validateEnv,
  type LogLevel,
} from './env.validation';
export { MAX_WORKERS } from './is-worker-count.decorator';
