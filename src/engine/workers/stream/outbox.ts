/**
 * What the stream server writes to its clients' sockets, and when.
 *
 * A frame a server sends is never masked (RFC 6455 §5.1), so a change event's WebSocket frame,
 * header included, is the same bytes for every subscriber: it is built once per event
 * (`textFrame`) and the same Buffer is handed to every socket, with no per-client framing.
 *
 * Frames are not written at once but queued per client and written at the end of the current
 * task (a microtask, so no timer delays them): the events of one committed storage batch reach
 * each client as one socket write instead of one per event, and clients whose queued frames are
 * the same Buffers in the same order (every subscriber of a group) share one joined buffer.
 */

/** A client the outbox writes to (one stream connection). */
export interface OutboxClient {
  /** Takes (and forgets) the frames queued since the last flush, in order. */
  takeFrames(): Buffer[];
  /** Writes frames (one or several whole WebSocket frames) to the socket, or drops the client. */
  write(data: Buffer): void;
}

/** RFC 6455 §5.2: FIN + opcode 1 (text); payload lengths past 125 take 2 or 8 more bytes. */
const FIN_TEXT = 0x81;

/** One unmasked WebSocket text frame carrying `text` (UTF-8), header and payload in one Buffer. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = FIN_TEXT;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

export class Outbox {
  private clients: OutboxClient[] = [];
  private scheduled = false;

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  /** `client` has its first frame queued since the last flush: it is written at the end of this task. */
  schedule(client: OutboxClient): void {
    this.clients.push(client);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.flush);
  }

  /** Writes every scheduled client's frames, one socket write each. */
  readonly flush = (): void => {
    this.scheduled = false;
    const clients = this.clients;
    this.clients = [];
    const joined = new JoinedFrames();
    for (const client of clients) {
      try {
        const frames = client.takeFrames();
        if (frames.length === 1) client.write(frames[0] as Buffer);
        else if (frames.length > 1) client.write(joined.of(frames));
      } catch (err) {
        this.onError(err);
      }
    }
  };
}

/** Distinct lists remembered per first frame: past this, lists are joined without being shared. */
const CANDIDATES_PER_FIRST = 8;

/** Concatenations of frame lists, shared by the clients whose lists hold the same Buffers in the same order. */
class JoinedFrames {
  /** First frame → the joined lists starting with it. */
  private readonly byFirst = new Map<Buffer, Array<{ frames: Buffer[]; joined: Buffer }>>();

  of(frames: Buffer[]): Buffer {
    const first = frames[0] as Buffer;
    let candidates = this.byFirst.get(first);
    if (candidates === undefined) {
      candidates = [];
      this.byFirst.set(first, candidates);
    }
    for (const candidate of candidates) if (sameBuffers(candidate.frames, frames)) return candidate.joined;
    const joined = Buffer.concat(frames);
    if (candidates.length < CANDIDATES_PER_FIRST) candidates.push({ frames, joined });
    return joined;
  }
}

function sameBuffers(a: Buffer[], b: Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
