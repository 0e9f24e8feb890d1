// Connection is the tab's one WebSocket to /api/ws: hello/welcome, then
// multiplexed messages; on loss it reconnects with exponential backoff and
// jitter, at once when the browser says it is back online.
import { backoffDelay } from './backoff';
import { parseServerMsg, PROTOCOL_VERSION, type ClientMsg, type ServerMsg, type WelcomeMsg } from './protocol';

export type ConnState = 'connecting' | 'open' | 'offline';

export interface ConnectionOptions {
  url: string;
  client: string;
  name: () => string;
  onOpen: (w: WelcomeMsg) => void;
  onMessage: (m: ServerMsg) => void;
  onClose: () => void;
  onState: (s: ConnState) => void;
}

export class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private welcomed = false;
  state: ConnState = 'offline';

  constructor(private readonly opts: ConnectionOptions) {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.clearTimer();
    this.drop();
  }

  /** send writes a message if the connection is open (welcomed). */
  send(msg: ClientMsg): boolean {
    if (!this.ws || !this.welcomed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** reconnect drops the connection and opens a new one soon. */
  reconnect(): void {
    this.drop();
    this.schedule();
  }

  private open(): void {
    this.clearTimer();
    if (this.stopped) return;
    this.setState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url);
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, client: this.opts.client, name: this.opts.name() }));
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws || typeof ev.data !== 'string') return;
      const m = parseServerMsg(ev.data);
      if (!m) return;
      if (m.type === 'welcome') {
        this.welcomed = true;
        this.attempt = 0;
        this.setState('open');
        this.opts.onOpen(m);
        return;
      }
      if (!this.welcomed) {
        // The handshake failed (e.g. unauthorized); the server closes.
        return;
      }
      this.opts.onMessage(m);
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.lost();
    };
    ws.onerror = () => {
      // onclose follows.
    };
  }

  private lost(): void {
    const wasOpen = this.welcomed;
    this.ws = null;
    this.welcomed = false;
    this.setState('offline');
    if (wasOpen) this.opts.onClose();
    this.schedule();
  }

  private drop(): void {
    const ws = this.ws;
    if (!ws) return;
    const wasOpen = this.welcomed;
    this.ws = null;
    this.welcomed = false;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close();
    } catch {
      // Already closed.
    }
    this.setState('offline');
    if (wasOpen) this.opts.onClose();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return; // 'online' will wake us
    const delay = backoffDelay(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(s: ConnState): void {
    if (s === this.state) return;
    this.state = s;
    this.opts.onState(s);
  }

  private readonly onOnline = (): void => {
    this.attempt = 0;
    if (!this.ws) this.open();
  };

  private readonly onOffline = (): void => {
    // The socket may linger for minutes before the browser notices: let go now.
    this.drop();
    this.clearTimer();
  };
}

/** wsURL returns the WebSocket endpoint of the page's origin. */
export function wsURL(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/ws`;
}
