// Raw HTTP over a TCP socket, for requests fetch() will not send as written
// (unnormalised paths, oversized headers, bodies cut short).
import net from 'node:net';

// Sends `text` and resolves with everything the server sent until it closed (or `timeoutMs`).
export function rawRequest(server, text, timeoutMs = 5000) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: hostname, port: Number(port) });
    let out = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(out); }, timeoutMs);
    sock.on('data', (d) => { out += d.toString('latin1'); });
    sock.on('end', () => { clearTimeout(timer); resolve(out); });
    sock.on('close', () => { clearTimeout(timer); resolve(out); });
    sock.on('error', (e) => { clearTimeout(timer); if (out) resolve(out); else reject(e); });
    sock.write(text);
  });
}

// The status code of a raw response ("HTTP/1.1 404 Not Found" → 404).
export function statusOf(response) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return m ? Number(m[1]) : 0;
}

export function bodyOf(response) {
  const i = response.indexOf('\r\n\r\n');
  return i < 0 ? '' : response.slice(i + 4);
}
