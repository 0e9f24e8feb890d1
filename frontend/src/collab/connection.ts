// Connection is the tab's one WebSocket to /api/ws: hello (with the access
// token)/welcome, then multiplexed messages; on loss it reconnects with
// exponential backoff and jitter, at once when the browser says it is back
// online.
//
// Tokens. A renewed token is sent in a repeated hello on the open
// connection (renew), so the session outlives the token it began with. If
// the server still finds the token expired (an `unauthorized` error, for
// the handshake or for any message), the connection is dropped, the token
// refreshed and a new connection opened: the documents then catch up and
// resend their unacknowledged ops with the same seq, the path every
// reconnect takes, so nothing typed is lost or stored twice.
import { backoffDelay } from './backoff';
import { parseServerFrame, PROTOCOL_VERSION, type ClientMsg, type HelloMsg, type ServerMsg, type WelcomeMsg } from './protocol';

export type ConnState = 'connecting' | 'open' | 'offline';

/** How long after an auth failure another one counts as a repeat (ms). */
const AUTH_REPEAT_WINDOW = 60_000;

export interface ConnectionOptions {
  url: string;
  client: string;
  /** token returns the access token for the hello; null means signed out (do not connect). */
  token: () => Promise<string | null>;
  /** refresh renews a token the server refused; null means the session is gone. */
  refresh: (refused: string) => Promise<string | null>;
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
  /** The token of the last hello on the current socket. */
  private helloToken: string | null = null;
  /** Counts opens, so that a token that arrives late does not open a second socket. */
  private opening = 0;
  private reauthing = false;
  private lastAuthFailure = -Infinity;
  private authFailures = 0;
  state: ConnState = 'offline';

  constructor(private readonly opts: ConnectionOptions) {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** stop closes the connection until start() (signed out, page gone). */
  stop(): void {
    this.stopped = true;
    this.opening += 1;
    this.clearTimer();
    this.drop();
  }

  /** destroy stops for good. */
  destroy(): void {
    this.stop();
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
  }

  /** renew sends a renewed access token in a repeated hello on the open connection. */
  renew(token: string): void {
    if (!this.ws || !this.welcomed || this.ws.readyState !== WebSocket.OPEN || token === this.helloToken) return;
    this.hello(this.ws, token);
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
    if (this.stopped || this.ws) return;
    this.setState('connecting');
    const attempt = ++this.opening;
    this.opts.token().then(
      (token) => {
        if (attempt !== this.opening || this.stopped || this.ws) return;
        if (!token) {
          // Signed out: the app shows the login page and starts us again.
          this.setState('offline');
          return;
        }
        this.connect(token);
      },
      () => {
        // The token could not be renewed (no network): try again later.
        if (attempt !== this.opening) return;
        this.setState('offline');
        this.schedule();
      },
    );
  }

  private hello(ws: WebSocket, token: string): void {
    this.helloToken = token;
    const m: HelloMsg = { type: 'hello', protocol: PROTOCOL_VERSION, client: this.opts.client, token };
    ws.send(JSON.stringify(m));
  }

  private connect(token: string): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url);
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => this.hello(ws, token);
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      // A frame may carry several messages: handle them in order, and
      // stop if one of them lets go of this socket.
      for (const m of parseServerFrame(ev.data)) {
        if (ws !== this.ws) return;
        this.receive(m, token);
      }
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.lost();
    };
    ws.onerror = () => {
      // onclose follows.
    };
  }

  /** receive handles one message of the current socket, opened with token. */
  private receive(m: ServerMsg, token: string): void {
    if (m.type === 'error' && m.code === 'unauthorized') {
      // The handshake failed, or the token expired mid-session (the
      // message it answers, an op even, was not carried out).
      this.reauth(this.helloToken ?? token);
      return;
    }
    if (m.type === 'welcome') {
      if (this.welcomed) return; // the answer to a renewing hello
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
  }

  private reauth(refused: string): void {
    if (this.reauthing) return;
    this.reauthing = true;
    const now = Date.now();
    this.authFailures = now - this.lastAuthFailure < AUTH_REPEAT_WINDOW ? this.authFailures + 1 : 0;
    this.lastAuthFailure = now;
    this.drop();
    this.setState('connecting');
    this.opts.refresh(refused).then(
      (token) => {
        this.reauthing = false;
        if (this.stopped) return;
        if (!token) {
          this.setState('offline'); // signed out
          return;
        }
        // At once the first time; a server that keeps refusing gets backoff.
        if (this.authFailures === 0) {
          this.open();
        } else {
          this.attempt = Math.max(this.attempt, this.authFailures);
          this.schedule();
        }
      },
      () => {
        this.reauthing = false;
        this.setState('offline');
        this.schedule();
      },
    );
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
    this.helloToken = null;
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
    if (!this.ws && !this.stopped) this.open();
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
