import { Module } from '@nestjs/common';
import { KeyRingService } from './key-ring.service';

@Module({ providers: [KeyRingService], exports: [KeyRingService] })
export class KeysModule {}
