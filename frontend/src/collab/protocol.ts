// The messages of the WebSocket protocol, version 2 (docs/protocol.md).
import type { Op } from 'quill-delta';

export const PROTOCOL_VERSION = 2;

/** DeltaJSON is a Quill Delta as it travels: {"ops":[...]}. */
export interface DeltaJSON {
  ops: Op[] | null;
}

export interface User {
  id: string;
  name: string;
}

// Client → server.

/**
 * HelloMsg opens the session with the access token; sent again on an open
 * connection with a renewed token, it extends the session (same user).
 */
export interface HelloMsg {
  type: 'hello';
  protocol: number;
  client: string;
  token: string;
}

export interface SubMsg {
  type: 'sub';
  plan: string;
  doc?: string;
  /** doc: the version the client knows (catch-up); plan: the event seq it knows. */
  v?: number;
  seq?: number;
}

export interface UnsubMsg {
  type: 'unsub';
  doc?: string;
  plan?: string;
}

export interface SubmitMsg {
  type: 'op';
  doc: string;
  v: number;
  seq: number;
  op: DeltaJSON;
}

export interface PresenceOutMsg {
  type: 'presence';
  plan: string;
  doc: string;
  index: number;
  length: number;
}

export type ClientMsg = HelloMsg | SubMsg | UnsubMsg | SubmitMsg | PresenceOutMsg;

// Server → client.

export interface WelcomeMsg {
  type: 'welcome';
  protocol: number;
  user: User;
  time: string;
}

export interface SnapshotMsg {
  type: 'snapshot';
  doc: string;
  v: number;
  data: DeltaJSON | null;
  /** The document is locked (the plan is in a phase nobody edits in). */
  locked?: boolean;
}

export interface OpMsg {
  type: 'op';
  doc: string;
  v: number;
  op: DeltaJSON | null;
  src?: string;
  seq?: number;
  by?: string;
  /** "lock" / "unlock" markers carry an empty op. */
  kind?: string;
}

export interface AckMsg {
  type: 'ack';
  doc: string;
  v: number;
  seq: number;
}

export interface SyncedMsg {
  type: 'synced';
  doc: string;
  v: number;
}

export interface ErrorMsg {
  type: 'error';
  code: string;
  message: string;
  doc?: string;
  plan?: string;
  seq?: number;
}

export interface PeerPresence {
  client: string;
  user?: User;
  doc?: string;
  index?: number;
  length?: number;
  color?: string;
}

export interface PresenceInMsg extends PeerPresence {
  type: 'presence';
  plan: string;
  /** A snapshot of everyone present, sent after a plan subscription. */
  peers?: PeerPresence[];
  left?: boolean;
}

export interface EventMsg {
  type: 'event';
  plan: string;
  seq: number;
  kind: string;
  by?: string;
  at?: string;
  data: unknown;
}

export type DocServerMsg = SnapshotMsg | OpMsg | AckMsg | SyncedMsg | ErrorMsg;
export type ServerMsg = WelcomeMsg | DocServerMsg | PresenceInMsg | EventMsg;

/**
 * parseServerFrame decodes a frame into its messages, in order. The server
 * sends what it has for a connection at once as one frame, the messages
 * separated by newlines (JSON text never contains a raw newline); a frame
 * of one message is just that message. Malformed messages are left out.
 */
export function parseServerFrame(text: string): ServerMsg[] {
  const out: ServerMsg[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = parseServerMsg(line);
    if (m) out.push(m);
  }
  return out;
}

/** parseServerMsg decodes one message, or returns null for anything malformed. */
export function parseServerMsg(text: string): ServerMsg | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const t = (m as { type?: unknown }).type;
  switch (t) {
    case 'welcome':
    case 'snapshot':
    case 'op':
    case 'ack':
    case 'synced':
    case 'error':
    case 'presence':
    case 'event':
      return m as ServerMsg;
    default:
      return null;
  }
}
