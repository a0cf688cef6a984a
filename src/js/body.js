// Reads a fetch Response body with a size cap, so a hostile or broken server cannot make the
// client buffer without bound, and decodes text strictly, so invalid UTF-8 is an error
// instead of silently replaced characters. Lives in JS because it drives a stream reader:
// from wasm each chunk would cross the boundary twice.

const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/** What `readBody` returns instead of a body it refuses to read: `refused` says why. */
const refuse = (refused) => ({ refused });

const tooLarge = (cap) => refuse(`is larger than maxResponseBytes (${cap} bytes)`);

/**
 * `mode`: 0 strict text, 1 lossy text (error bodies), 2 bytes (ArrayBuffer).
 * Resolves with the string or ArrayBuffer, or `{ refused }`; rejects as `fetch` would when
 * the connection fails mid-body.
 */
export async function readBody(response, cap, mode) {
  const headers = response.headers;
  const declared = Number(headers?.get?.('content-length') ?? NaN);
  const body = response.body;
  if (declared > cap) {
    // Do not download what will be refused; a failing cancel changes nothing.
    try { await body?.cancel(); } catch {}
    return tooLarge(cap);
  }
  let bytes;
  if (body && typeof body.getReader === 'function') {
    // A declared length says nothing about the decoded size under Content-Encoding.
    const plain = declared >= 0 && !headers.get('content-encoding');
    bytes = plain ? new Uint8Array(await response.arrayBuffer()) : await readCapped(body, cap);
    if (bytes === null) return tooLarge(cap);
  } else if (typeof response.arrayBuffer === 'function') {
    bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > cap) return tooLarge(cap);
  } else {
    // A minimal custom fetch's Response: text only, taken as given.
    const text = await response.text();
    return mode === 2 ? new TextEncoder().encode(text).buffer : text;
  }
  if (mode === 2) return bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  if (mode === 1) return lossy.decode(bytes);
  try {
    return strict.decode(bytes);
  } catch {
    return refuse('is not valid UTF-8');
  }
}

/** The stream's bytes, or null (and the stream cancelled) once they pass `cap`. */
async function readCapped(stream, cap) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        try { await reader.cancel(); } catch {}
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock?.();
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}
