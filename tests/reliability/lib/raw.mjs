// Raw TCP for what fetch and `ws` will not send as written: requests byte by byte, malformed
// requests, raw WebSocket frames (fragments, bad UTF-8, reserved opcodes).
import net from 'node:net';
import { randomBytes, createHash } from 'node:crypto';

export function connect(server) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: hostname, port: Number(port) }, () => resolve(sock));
    sock.once('error', reject);
  });
}

// Collects what the server sends until it closes the connection (or `timeoutMs`).
export function collect(sock, timeoutMs = 10000) {
  return new Promise((resolve) => {
    const chunks = [];
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
  });
}

// Sends `text` (string or Buffer) and resolves with the response text once the server closes
// or `timeoutMs` passes: {text, closed}.
export async function rawRequest(server, text, timeoutMs = 10000) {
  const sock = await connect(server);
  const done = collect(sock, timeoutMs);
  sock.on('error', () => {});
  sock.write(text);
  const { data, closed } = await done;
  sock.destroy();
  return { text: data.toString('latin1'), closed };
}

export function statusOf(response) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return m ? Number(m[1]) : 0;
}

export function bodyOf(response) {
  const i = response.indexOf('\r\n\r\n');
  return i < 0 ? '' : response.slice(i + 4);
}

// A masked client frame (RFC 6455 §5.2).
export function frame(opcode, payload, { fin = true, rsv = 0 } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const mask = randomBytes(4);
  let header;
  if (data.length < 126) {
    header = Buffer.alloc(2);
    header[1] = 0x80 | data.length;
  } else if (data.length < 65536) {
    header = Buffer.alloc(4);
    header[1] = 0x80 | 126;
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  header[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = data[i] ^ mask[i % 4];
  return Buffer.concat([header, mask, masked]);
}

// A WebSocket over a raw socket: upgrade, then frames in and out by hand.
export class RawWs {
  static async open(server) {
    const sock = await connect(server);
    const key = randomBytes(16).toString('base64');
    const { host } = new URL(server.url);
    sock.write(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const ws = new RawWs(sock);
    const head = await ws.#readUntil('\r\n\r\n');
    if (!/^HTTP\/1\.1 101/.test(head)) throw new Error(`no upgrade: ${head}`);
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    if (!head.includes(accept)) throw new Error(`bad Sec-WebSocket-Accept: ${head} wanted ${accept}`);
    return ws;
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.frames = [];      // {opcode, payload}
    this.waiters = [];
    this.closed = false;
    this.upgraded = false;
    sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.#parse(); this.#wake(); });
    sock.on('close', () => { this.closed = true; this.#wake(); });
    sock.on('error', () => {});
  }

  #readUntil(marker) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.buf.indexOf(marker);
        if (i >= 0) {
          const head = this.buf.subarray(0, i + marker.length).toString('latin1');
          this.buf = this.buf.subarray(i + marker.length);
          this.upgraded = true;
          this.#parse();
          return resolve(head);
        }
        if (this.closed) return reject(new Error('closed before the upgrade answer'));
        this.waiters.push(check);
      };
      check();
    });
  }

  #parse() {
    if (!this.upgraded) return;
    for (;;) {
      if (this.buf.length < 2) return;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); off = 10; }
      if (this.buf.length < off + len) return;
      this.frames.push({ opcode: this.buf[0] & 0x0f, payload: this.buf.subarray(off, off + len) });
      this.buf = this.buf.subarray(off + len);
    }
  }

  #wake() {
    const ws = this.waiters.splice(0);
    for (const w of ws) w();
  }

  send(buf) { this.sock.write(buf); }
  text(obj) { this.send(frame(1, typeof obj === 'string' ? obj : JSON.stringify(obj))); }

  // The next frame matching pred (a text frame's payload parsed as JSON in .json), or null
  // when the connection closes first.
  next(pred = () => true, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame in ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const i = this.frames.findIndex((f) => pred(RawWs.#view(f)));
        if (i >= 0) { clearTimeout(timer); return resolve(RawWs.#view(this.frames.splice(i, 1)[0])); }
        if (this.closed) { clearTimeout(timer); return resolve(null); }
        this.waiters.push(check);
      };
      check();
    });
  }

  // The close frame's code, or 1006 when the connection ended without one.
  async closeCode(timeoutMs = 10000) {
    const f = await this.next((x) => x.opcode === 8, timeoutMs);
    if (!f) return 1006;
    return f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
  }

  static #view(f) {
    let json;
    if (f.opcode === 1) { try { json = JSON.parse(f.payload.toString('utf8')); } catch { json = undefined; } }
    return { ...f, json };
  }

  destroy() { this.sock.destroy(); }
}
