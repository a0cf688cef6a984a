// Listening on loopback with a bounded life: one implementation for every test server.
// Tracks sockets so close() ends keep-alive connections too, stops after `maxSeconds`
// (0 = never), and runs onClose callbacks once the server has closed.

export const HOST = '127.0.0.1';

/**
 * Starts `server` on 127.0.0.1:`port`. `life` (a steps.mjs Lifecycle, optional) is closed
 * first, ending hangs and slow bodies. Resolves `{ port, url, close, onClose, ...extra }`.
 */
export function listenBounded(server, { port = 0, maxSeconds = 0, life, extra = {} } = {}) {
  const sockets = new Set();
  const closeListeners = [];
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
  });
  // A client that fails mid-request (e.g. an abort) must not crash the server.
  server.on('clientError', (_err, sock) => sock.destroy());

  let closing = null;
  function close() {
    if (!closing) {
      closing = new Promise((resolve) => {
        life?.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      }).then(() => {
        for (const fn of closeListeners.splice(0)) fn();
      });
    }
    return closing;
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const actual = server.address().port;
      if (maxSeconds > 0) {
        const t = setTimeout(() => close(), maxSeconds * 1000);
        t.unref();
        closeListeners.push(() => clearTimeout(t));
      }
      resolve({
        ...extra,
        port: actual,
        url: `http://${HOST}:${actual}`,
        close,
        onClose: (fn) => closeListeners.push(fn),
      });
    });
  });
}
