import type { Socket } from 'node:net';
import type { BrokerLogger } from '../config';
import { DispatchResult, Dispatcher } from './dispatcher';
import { FrameDecoder } from './frame-decoder';

/**
 * One client connection. Requests are handled strictly one after another, as
 * Kafka does, so responses keep request order and a long-polling Fetch or a
 * JoinGroup waiting for a rebalance holds back only its own connection.
 * Anything malformed closes this connection alone.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private closed = false;
  private readonly peer: string;

  constructor(
    private readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    private readonly logger: BrokerLogger,
    maxFrameBytes: number,
  ) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => (this.closed = true));
  }

  close(reason?: string): void {
    if (reason) this.logger.warn(`closing connection from ${this.peer}: ${reason}`);
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    try {
      this.queue.push(...this.decoder.push(chunk));
    } catch (error) {
      return this.close((error as Error).message);
    }
    this.drain();
  }

  private drain(): void {
    while (!this.busy && !this.closed && this.queue.length > 0) {
      const frame = this.queue.shift()!;
      let result: DispatchResult | Promise<DispatchResult>;
      try {
        result = this.dispatcher.dispatch(frame, this.socket.remoteAddress ?? '');
      } catch (error) {
        return this.close(`unreadable request: ${(error as Error).message}`);
      }
      if (result instanceof Promise) {
        this.busy = true;
        result.then(
          (buffers) => {
            this.busy = false;
            this.send(buffers);
            this.drain();
          },
          (error: Error) => this.close(`request failed: ${error.message}`),
        );
        return;
      }
      this.send(result);
    }
  }

  private send(buffers: DispatchResult): void {
    if (!buffers || this.closed) return;
    if (buffers.length === 1) {
      this.socket.write(buffers[0]);
      return;
    }
    this.socket.cork();
    for (const buffer of buffers) this.socket.write(buffer);
    this.socket.uncork();
  }
}
