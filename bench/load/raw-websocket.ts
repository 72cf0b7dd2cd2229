/**
 * The subscriber processes' WebSocket client: the RFC 6455 handshake over `net`, masked text frames
 * out, and the server's (unmasked) frames parsed in place from the socket's chunks.
 *
 * Why not `ws`: its client costs about 25 µs of CPU per received message on the bench machine (a
 * Writable receiver fed by the socket's data events, an event per message), more than the server
 * spends per delivery (10-15 µs). Every subscriber shares one core, so with `ws` a fan-out to 10,000
 * connections measured mostly the subscribers. This client does no more than the bench needs: no
 * extensions, no fragmented messages, pings answered, a close frame ends the socket.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

export class RawWebSocket {
  /** Bytes of a frame not complete yet. */
  private pending: Buffer | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly onMessage: (payload: Buffer) => void,
  ) {}

  /** Connects and upgrades; resolves once the server answered 101. `onMessage` gets every text or binary payload. */
  static open(url: string, onMessage: (payload: Buffer) => void): Promise<RawWebSocket> {
    const target = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + ACCEPT_GUID)
      .digest('base64');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.hostname, port: Number(target.port) }, () => {
        socket.setNoDelay(true);
        socket.write(
          `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHandshake);
        socket.off('error', reject);
        const response = head.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101 /.test(response) || !response.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
          socket.destroy();
          reject(new Error(`WebSocket upgrade refused: ${response.split('\r\n')[0] ?? ''}`));
          return;
        }
        const client = new RawWebSocket(socket, onMessage);
        socket.on('data', (data: Buffer) => client.read(data));
        socket.on('error', () => socket.destroy());
        resolve(client);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) client.read(rest);
      };
      socket.on('data', onHandshake);
      socket.once('error', reject);
    });
  }

  /** Sends `text` as one masked text frame (a client's frames must be masked). */
  send(text: string): void {
    this.sendFrame(OPCODE_TEXT, Buffer.from(text));
  }

  terminate(): void {
    this.socket.destroy();
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | opcode;
    if (header === 2) frame[1] = 0x80 | length;
    else if (header === 4) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = randomBytes(4);
    mask.copy(frame, header);
    for (let i = 0; i < length; i++) frame[header + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
    this.socket.write(frame);
  }

  /** Parses every whole frame in `chunk` (after what was pending); keeps a partial one for the next chunk. */
  private read(chunk: Buffer): void {
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    let offset = 0;
    while (data.length - offset >= 2) {
      const opcode = (data[offset] as number) & 0x0f;
      const short = (data[offset + 1] as number) & 0x7f;
      const header = short < 126 ? 2 : short === 126 ? 4 : 10;
      if (data.length - offset < header) break;
      const length = short < 126 ? short : short === 126 ? data.readUInt16BE(offset + 2) : Number(data.readBigUInt64BE(offset + 2));
      if (data.length - offset < header + length) break;
      const payload = data.subarray(offset + header, offset + header + length);
      offset += header + length;
      if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) this.onMessage(payload);
      else if (opcode === OPCODE_PING) this.sendFrame(OPCODE_PONG, payload);
      else if (opcode === OPCODE_CLOSE) {
        this.socket.end();
        return;
      }
    }
    if (offset < data.length) this.pending = Buffer.from(data.subarray(offset));
  }
}
