import type { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import type { ChildLink } from '@clustr/protocol';
import { LineLink, type LineLinkHooks, type LineLinkLimits } from './line-link.js';

const debug = debuglog('clustr');

/**
 * The parent's end of one run of a child's link. A child has two sockets: its clustr link
 * (`$CLUSTR_LINK_FD`, fd 4), on which frames travel both ways, and its Node IPC channel
 * (`$NODE_CHANNEL_FD`, fd 3), on which a Node child's `process.send` traffic travels and a bash
 * child writes its frames. Lines of both are read here, each parsed once; frames from either
 * reach `onFrame`, and frames to the child are written to the link. A restarted child gets a new
 * link.
 */
export class ChildLinkImpl extends LineLink implements ChildLink {
  constructor(
    readonly workerId: string,
    readonly pid: number | undefined,
    link: Duplex,
    private readonly channel: Duplex | undefined,
    limits: LineLinkLimits,
    hooks: LineLinkHooks,
  ) {
    super(`worker ${workerId}`, link, limits, hooks);
    if (channel !== undefined) {
      this.read(channel);
      channel.on('error', (error) => debug('IPC channel of worker %s: %s', workerId, error.message));
      channel.on('close', () => {
        this.isChannelClosed = true;
        if (this.isLinkSocketClosed) this.markClosed();
      });
    }
  }

  private isLinkSocketClosed = false;
  private isChannelClosed = false;

  /**
   * The link socket closed. A child that closed its fd 4 but still writes frames on its IPC
   * channel (a daemon closing inherited fds) keeps its link open until that closes too.
   */
  protected override socketClosed(): void {
    this.isLinkSocketClosed = true;
    if (this.channel === undefined || this.isChannelClosed) this.markClosed();
  }

  /** Writes a user message line on the child's IPC channel (a Node child gets a `'message'`). */
  sendUserLine(line: string): boolean {
    const { channel } = this;
    if (this.isClosed || channel === undefined || !channel.writable) return false;
    return channel.write(line);
  }

  override destroy(): void {
    this.channel?.destroy();
    super.destroy();
  }
}
