// Presence: who is in the plan, in which section, with which cursor. The
// local cursor is sent at most 10 times a second and at least every 10
// seconds (a heartbeat, so the server keeps us listed); the peers come from
// the plan subscription.
import type { PresenceInMsg, PeerPresence } from '../collab/protocol';
import { Throttle } from './throttle';

export interface Peer {
  client: string;
  userId: string;
  name: string;
  color: string;
  doc: string;
  index: number;
  length: number;
}

const PALETTE = ['#1f6feb', '#b35900', '#8250df', '#1a7f37', '#cf222e', '#0a7c86', '#9a6700', '#bf3989'];

/** colorFor gives a client a stable colour when the server sends none. */
export function colorFor(client: string): string {
  let h = 0;
  for (let i = 0; i < client.length; i++) h = (h * 31 + client.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** initials returns up to two letters of a name for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = [...parts[0]!][0] ?? '';
  const last = parts.length > 1 ? ([...parts[parts.length - 1]!][0] ?? '') : '';
  return (first + last).toUpperCase();
}

export const PRESENCE_INTERVAL = 100; // ≤ 10 updates a second
export const HEARTBEAT_INTERVAL = 10_000;

export interface PresenceSender {
  send(msg: { type: 'presence'; plan: string; doc: string; index: number; length: number }): boolean;
}

export class PresenceTracker {
  readonly peers = new Map<string, Peer>();
  private local = { doc: '', index: 0, length: 0 };
  /** The plan subscription is sent: the server takes presence after it. */
  private ready = false;
  private readonly throttle: Throttle<[]>;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly sender: PresenceSender,
    private readonly plan: string,
    private readonly self: string,
    private readonly onChange: () => void,
  ) {
    this.throttle = new Throttle(() => this.sendNow(), PRESENCE_INTERVAL);
    this.heartbeat = setInterval(() => this.sendNow(), HEARTBEAT_INTERVAL);
  }

  /** handle takes a presence message of the plan. */
  handle(m: PresenceInMsg): void {
    if (m.peers) {
      this.peers.clear();
      for (const p of m.peers) this.upsert(p);
    } else if (m.left) {
      this.peers.delete(m.client);
    } else {
      this.upsert(m);
    }
    this.onChange();
  }

  private upsert(p: PeerPresence): void {
    if (!p.client || p.client === this.self) return;
    this.peers.set(p.client, {
      client: p.client,
      userId: p.user?.id ?? p.client,
      name: p.user?.name || '?',
      color: p.color || colorFor(p.client),
      doc: p.doc ?? '',
      index: p.index ?? 0,
      length: p.length ?? 0,
    });
  }

  /** update records where the local user is; it is sent throttled. */
  update(doc: string, index: number, length: number): void {
    const l = this.local;
    if (l.doc === doc && l.index === index && l.length === length) return;
    this.local = { doc, index, length };
    this.throttle.call();
  }

  /** subscribed is called after every (re)subscription to the plan; it sends the local presence. */
  subscribed(): void {
    this.ready = true;
    this.sendNow();
  }

  /** clearPeers forgets everyone (the connection is gone; a fresh list follows). */
  clearPeers(): void {
    this.peers.clear();
    this.onChange();
  }

  destroy(): void {
    this.throttle.cancel();
    clearInterval(this.heartbeat);
  }

  private sendNow(): void {
    if (!this.ready) return;
    this.sender.send({ type: 'presence', plan: this.plan, ...this.local });
  }
}
