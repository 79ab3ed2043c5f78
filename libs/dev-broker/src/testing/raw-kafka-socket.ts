import { connect, type Socket } from 'node:net';
import { WireWriter } from './wire-codec';

export interface RawRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId?: string | null;
  /** Request header v2 (flexible versions): header v1 plus an empty tagged-field section. */
  readonly flexibleHeader?: boolean;
  readonly body?: Buffer;
}

/** Frames a request: int32 size, then header v1/v2, then the body. */
export function frameRequest(request: RawRequest): Buffer {
  const header = new WireWriter()
    .int16(request.apiKey)
    .int16(request.apiVersion)
    .int32(request.correlationId)
    // Even header v2 keeps client_id as a non-compact nullable string (KIP-482).
    .nullableString(request.clientId === undefined ? 'raw-test' : request.clientId);
  if (request.flexibleHeader) header.emptyTaggedFields();
  const payload = Buffer.concat([header.toBuffer(), request.body ?? Buffer.alloc(0)]);
  return new WireWriter().int32(payload.length).raw(payload).toBuffer();
}

/**
 * One TCP connection that speaks in whole frames. Responses are queued as they arrive so
 * a test can write anything (including garbage) and then look at what came back.
 */
export class RawKafkaSocket {
  private buffered = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    // A reset by the broker is one of the ways a connection may end; 'close' follows.
    socket.on('error', () => undefined);
  }

  static open(host: string, port: number): Promise<RawKafkaSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new RawKafkaSocket(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a framed request and returns the next response frame (without its size). */
  async request(request: RawRequest, timeoutMs = 5_000): Promise<Buffer> {
    this.write(frameRequest(request));
    return this.nextFrame(timeoutMs);
  }

  async nextFrame(timeoutMs = 5_000): Promise<Buffer> {
    await this.waitFor(() => this.frames.length > 0 || this.closed, timeoutMs, 'a response frame');
    const frame = this.frames.shift();
    if (!frame) throw new Error('connection closed before a response frame arrived');
    return frame;
  }

  /** Resolves once the broker has closed the connection; rejects if it stays open. */
  async waitForClose(timeoutMs = 5_000): Promise<void> {
    await this.waitFor(() => this.closed, timeoutMs, 'the broker to close the connection');
  }

  /** Half-closes our side (FIN) after everything written so far has been sent. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) break;
      this.frames.push(this.buffered.subarray(4, 4 + size));
      this.buffered = this.buffered.subarray(4 + size);
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const check = (): void => {
        if (condition()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }
}
