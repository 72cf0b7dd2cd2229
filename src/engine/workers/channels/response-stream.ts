/**
 * Streaming mode of engine.md §9.3: the engine races the function's result against the `response`
 * channel, biased towards the channel.
 *  - text items are control messages (`set_status`, `set_headers`), applied in order;
 *  - the first binary item sends status + headers and streams every later binary item until the
 *    writer closes (text after that is ignored);
 *  - a non-null result that comes before any binary item is a buffered reply (the caller maps it);
 *  - an absent result (`undefined`/`null`) keeps waiting: writer close without binary ⇒ the
 *    collected status/headers with an empty body.
 * Deliberate deviation: an absent result whose response writer never connected within
 * `absentResultGraceMs` resolves as that absent result (iii-http answers 204) instead of hanging
 * until `default_timeout` like the real engine.
 */
import type { ServerResponse } from 'node:http';
import type { EngineLogger } from '../../core/types';
import { isValidHeader } from '../../lib/http-headers';
import type { Channel } from './channel';

export type StreamOutcome = { kind: 'result'; value: unknown } | { kind: 'streamed' };

export interface StreamResponseOptions {
  logger?: EngineLogger;
  /** See the file comment; default 1000 ms. */
  absentResultGraceMs?: number;
}

const DEFAULT_GRACE_MS = 1_000;
/** Framing is the engine's to decide (chunked while streaming, content-length when empty). */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding']);

/** Collected `set_status` / `set_headers` state before the body starts. */
class ResponseHead {
  status = 200;
  readonly headers = new Map<string, string>();

  /** Applies one text item; anything that is not a well-formed control message is ignored. */
  apply(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
    const record = message as Record<string, unknown>;
    if (record.type === 'set_status') {
      const code = record.status_code;
      // 1xx cannot end an exchange in Node; such codes are ignored like any invalid one.
      if (typeof code === 'number' && Number.isInteger(code) && code >= 200 && code <= 599) this.status = code;
    } else if (record.type === 'set_headers') {
      const headers = record.headers;
      if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return;
      for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
        const lower = name.trim().toLowerCase();
        if (typeof value !== 'string' || FRAMING_HEADERS.has(lower) || !isValidHeader(lower, value)) continue;
        this.headers.set(lower, value);
      }
    }
  }

  /** Writes status and headers (headers already set on `res`, e.g. CORS, are kept unless overridden). */
  send(res: ServerResponse, empty: boolean): void {
    for (const [name, value] of this.headers) res.setHeader(name, value);
    if (empty) res.setHeader('content-length', '0');
    res.writeHead(this.status);
  }
}

class ResponseRace {
  /** Made on the first control message (most replies are buffered and send none). */
  private head: ResponseHead | null = null;
  private streaming = false;
  private absentResult = false;
  private writerEnded = false;
  private settled = false;
  private backedUp = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private resolve!: (outcome: StreamOutcome) => void;
  private reject!: (err: unknown) => void;
  /** Made when the client socket first backs up. */
  private onClientDrained: (() => void) | null = null;
  readonly outcome: Promise<StreamOutcome>;

  constructor(
    private readonly channel: Channel,
    private readonly res: ServerResponse,
    private readonly options: StreamResponseOptions,
  ) {
    this.outcome = new Promise<StreamOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  start(result: Promise<unknown>): Promise<StreamOutcome> {
    this.channel.setReaderWake(this.drain);
    // `on`, not `once`: `stop` removes it anyway, and `once` wraps every listener in a bound function.
    this.res.on('close', this.onClientGone);
    result.then(this.onResult, this.onFailure);
    this.drain();
    return this.outcome;
  }

  /** Consumes every item available now; stops while the client socket is backed up. */
  private readonly drain = (): void => {
    while (!this.settled && !this.backedUp) {
      const item = this.channel.read();
      if (item === undefined) return;
      if (item === null) {
        this.onWriterEnd();
        return;
      }
      if (item.kind === 'text') {
        if (!this.streaming) (this.head ??= new ResponseHead()).apply(item.text);
        continue;
      }
      if (!this.streaming) {
        this.streaming = true;
        this.clearGrace();
        (this.head ?? new ResponseHead()).send(this.res, false);
      }
      if (!this.res.write(item.data)) {
        this.backedUp = true;
        this.onClientDrained ??= () => {
          this.backedUp = false;
          this.drain();
        };
        this.res.once('drain', this.onClientDrained);
        return;
      }
    }
  };

  private onWriterEnd(): void {
    this.writerEnded = true;
    if (this.streaming) {
      this.res.end();
      this.finish({ kind: 'streamed' });
    } else if (this.absentResult) {
      (this.head ?? new ResponseHead()).send(this.res, true);
      this.res.end();
      this.finish({ kind: 'streamed' });
    }
    // Otherwise the writer closed before the result came: the result decides.
  }

  private readonly onResult = (value: unknown): void => {
    if (this.settled || this.streaming) return;
    // Biased towards the channel: items that are already here go first.
    this.drain();
    if (this.settled || this.streaming) return;
    if (value !== undefined && value !== null) {
      this.finish({ kind: 'result', value });
      return;
    }
    this.absentResult = true;
    if (this.writerEnded) {
      this.onWriterEnd();
      return;
    }
    if (!this.channel.writerClaimed) {
      this.graceTimer = setTimeout(graceOver, this.options.absentResultGraceMs ?? DEFAULT_GRACE_MS, this, value);
    }
  };

  /** The grace period of an absent result ran out (see the file comment). */
  graceOver(value: unknown): void {
    this.graceTimer = undefined;
    if (this.settled || this.channel.writerClaimed) return;
    this.finish({ kind: 'result', value });
  }

  private readonly onFailure = (err: unknown): void => {
    if (this.settled) return;
    if (this.streaming) {
      // Too late for an error reply; the body ends when the writer closes or the request does.
      this.options.logger?.warn('http function failed while streaming its response', { error: String(err) });
      return;
    }
    this.stop();
    this.reject(err);
  };

  /** The client went away or the reply was sent by someone else (deadline): nothing more to do. */
  private readonly onClientGone = (): void => {
    this.finish({ kind: 'streamed' });
  };

  private clearGrace(): void {
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  private finish(outcome: StreamOutcome): void {
    if (this.settled) return;
    this.stop();
    this.resolve(outcome);
  }

  private stop(): void {
    this.settled = true;
    this.clearGrace();
    this.channel.setReaderWake(null);
    this.res.off('close', this.onClientGone);
    if (this.onClientDrained !== null) this.res.off('drain', this.onClientDrained);
  }
}

/** One function for every race's grace timer (no closure per request). */
function graceOver(race: ResponseRace, value: unknown): void {
  race.graceOver(value);
}

/** Races `result` against the response channel and writes a streamed reply to `res` when it wins. */
export function streamResponse(
  channel: Channel,
  result: Promise<unknown>,
  res: ServerResponse,
  options: StreamResponseOptions = {},
): Promise<StreamOutcome> {
  return new ResponseRace(channel, res, options).start(result);
}
