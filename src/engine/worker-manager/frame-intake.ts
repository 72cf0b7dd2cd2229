import type { RawData } from 'ws';
import { isTelemetryFrame, parseFrame, type InboundFrame } from '../../protocol/frames';

/**
 * What a worker connection needs of its socket: a `ws` WebSocket, or the listener's end of an
 * in-process connection (which hands text frames over as strings).
 */
export interface WorkerSocket {
  readonly readyState: number;
  readonly OPEN: number;
  send(text: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: RawData | string, isBinary: boolean) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * One message from a worker socket as a frame: bytes from `ws`, or the text itself in-process.
 * `null` for nothing to apply (an empty frame, OTel telemetry, which is accepted and discarded);
 * throws on an invalid frame.
 */
export function decodeFrame(data: RawData | string, isBinary: boolean): InboundFrame | null {
  if (typeof data === 'string') return parseFrame(data);
  const bytes = rawToBuffer(data);
  if (isBinary && isTelemetryFrame(bytes)) return null;
  return parseFrame(bytes.toString('utf8'));
}

/** Frames applied without waiting when no registration frame is queued ahead of them. */
const AT_ONCE = new Set<InboundFrame['type']>(['invokefunction', 'invocationresult', 'ping']);

/**
 * Applies one connection's frames in arrival order (engine.md §2): a registration frame's work is
 * awaited before the next frame, while the hot frames (invocations, results, pings) with nothing
 * queued ahead of them are applied at once, without a promise-chain link per frame.
 */
export class FrameIntake {
  private chain: Promise<void> = Promise.resolve();
  /** Frames waiting on `chain` or being applied there. */
  private queued = 0;

  constructor(
    private readonly apply: (frame: InboundFrame) => void | Promise<void>,
    private readonly failed: (frame: InboundFrame, error: unknown) => void,
  ) {}

  push(frame: InboundFrame): void {
    if (this.queued === 0 && AT_ONCE.has(frame.type)) {
      try {
        void this.apply(frame)?.catch((error: unknown) => this.failed(frame, error));
      } catch (error) {
        this.failed(frame, error);
      }
      return;
    }
    this.queued++;
    this.chain = this.chain
      .then(async () => {
        try {
          await this.apply(frame);
        } finally {
          this.queued--;
        }
      })
      .catch((error: unknown) => this.failed(frame, error));
  }

  /** Resolves once every frame pushed so far has been applied (never rejects). */
  drained(): Promise<void> {
    return this.chain;
  }
}
