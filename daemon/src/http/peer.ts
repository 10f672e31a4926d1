/**
 * Which local OS user is on the other end of a loopback TCP connection (Linux). The kernel lists
 * every TCP socket in /proc/net/tcp and /proc/net/tcp6 with the uid that owns it; the client's end
 * of our connection is the line whose local address is our peer's and whose remote address is ours.
 * This is what the audit log records as the actor: unlike `X-Mlops-Actor`, a client cannot choose it.
 */
import { readFileSync } from 'node:fs';
import { type Socket } from 'node:net';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];
const ESTABLISHED = '01';

/** An address as /proc/net/tcp* writes it: 32-bit words in hex, each in host (little-endian) byte order. */
function decodeAddress(hex: string): string | undefined {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => parseInt(w.slice(i, i + 2), 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) return undefined;
  // IPv4-mapped (::ffff:a.b.c.d) and ::1 are the only IPv6 forms a loopback daemon sees.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return bytes.slice(12).join('.');
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return '::1';
  return undefined;
}

function normalise(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

/** The uid owning the client end of `socket`, or undefined when /proc does not say (not Linux, gone). */
export function peerUid(socket: Socket): number | undefined {
  const peer = { address: normalise(socket.remoteAddress), port: socket.remotePort };
  const self = { address: normalise(socket.localAddress), port: socket.localPort };
  if (!peer.address || !peer.port || !self.address || !self.port) return undefined;
  for (const table of TABLES) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [local, remote, state, uid] = [f[1], f[2], f[3], f[7]];
      if (!local || !remote || state !== ESTABLISHED || uid === undefined) continue;
      const [la, lp] = local.split(':');
      const [ra, rp] = remote.split(':');
      if (parseInt(lp ?? '', 16) !== peer.port || parseInt(rp ?? '', 16) !== self.port) continue;
      if (decodeAddress(la ?? '') === peer.address && decodeAddress(ra ?? '') === self.address) return Number(uid);
    }
  }
  return undefined;
}

let passwd: Map<number, string> | undefined;

/** A uid's login name from /etc/passwd (read once); `uid:N` when it has none. */
export function userName(uid: number): string {
  if (!passwd) {
    passwd = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id && !passwd.has(Number(id))) passwd.set(Number(id), name);
      }
    } catch {
      // No passwd file: numeric names below.
    }
  }
  return passwd.get(uid) ?? `uid:${uid}`;
}

const known = new WeakMap<Socket, string | null>();

/** The connecting user's name, looked up once per connection (keep-alive reuses it); null when unknown. */
export function peerUser(socket: Socket): string | null {
  let user = known.get(socket);
  if (user === undefined) {
    const uid = process.platform === 'linux' ? peerUid(socket) : undefined;
    user = uid === undefined ? null : userName(uid);
    known.set(socket, user);
  }
  return user;
}
