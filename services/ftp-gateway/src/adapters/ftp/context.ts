import type { BlockList } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Logger } from '@ferry/telemetry';
import type { FsPace } from '../../domain/fs-pace.js';
import type { EventSink } from '../events.js';
import type { GatewayMetrics } from '../metrics.js';
import type { UploadLedger } from '../partial-uploads.js';
import type { Platform } from '../platform.js';
import type { PassivePorts } from './passive-ports.js';

/** Why a new login is turned away before asking anyone (421). */
export type AdmissionRefusal = 'draining' | 'event_buffer_full' | 'capacity';

/** What every FTP session shares: settings and the gateway's adapters. */
export interface FtpContext {
  readonly gateway: string;
  readonly storageRoot: string;
  /** This process's uploads in progress: how partials left by gone writers are told apart (ADR 0006). */
  readonly uploads: UploadLedger;
  /** Whether storage metadata calls run synchronously: shared by every session, as the filesystem is. */
  readonly storagePace: FsPace;
  readonly idleTimeoutMs: number;
  readonly dataTimeoutMs: number;
  /** Advertised in PASV; undefined: the address the client reached us on. */
  readonly publicAddress: string | undefined;
  readonly requireTls: boolean;
  readonly tls: SecureContext | undefined;
  readonly requireTlsReuse: boolean;
  readonly checkDataAddress: boolean;
  readonly trustedProxies: BlockList | undefined;
  readonly passivePorts: PassivePorts;
  readonly platform: Platform;
  readonly events: EventSink;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** undefined when a new login may proceed. */
  admission(): AdmissionRefusal | undefined;
}
