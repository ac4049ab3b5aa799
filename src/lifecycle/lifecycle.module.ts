import { Global, Module } from '@nestjs/common';
import { LifecycleService } from './lifecycle.service';

/** Shares the process lifecycle state (shutdown flag, in-flight count) with every module. */
@Global()
@Module({ providers: [LifecycleService], exports: [LifecycleService] })
export class LifecycleModule {}
