// The page's password proof, exactly as src/protocol/auth.ts computes it:
// K = PBKDF2-HMAC-SHA256(password, salt, iterations, 32 bytes), proofs are
// HMAC-SHA256(K, "dbgremote-auth-v1\0" role "\0" serverNonce "\0" clientNonce),
// all base64. WebCrypto (crypto.subtle) exists only in secure contexts (https,
// localhost); on plain http from another machine the small SHA-256 below does
// the same work.

const K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const INIT = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];

/** One SHA-256 compression of the 16 words in W[0..15] into the state H. W has room for 64. */
function compress(H, W) {
  for (let t = 16; t < 64; t++) {
    const a = W[t - 15];
    const b = W[t - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
  }
  let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[t] + W[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] += a;
  H[1] += b;
  H[2] += c;
  H[3] += d;
  H[4] += e;
  H[5] += f;
  H[6] += g;
  H[7] += h;
}

/** Hash `bytes` on top of a state that has already taken `prefixBytes` (whole blocks). */
function hashInto(H, bytes, prefixBytes = 0) {
  const W = new Uint32Array(64);
  const total = bytes.length + prefixBytes;
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(total / 0x20000000));
  view.setUint32(padded.length - 4, (total * 8) >>> 0);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(off + i * 4);
    compress(H, W);
  }
  return H;
}

function wordsToBytes(H) {
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setUint32(i * 4, H[i]);
  return out;
}

/** SHA-256 of bytes. */
export function sha256(bytes) {
  return wordsToBytes(hashInto(new Uint32Array(INIT), bytes));
}

/** The HMAC inner and outer states after the padded key block. */
function hmacStates(key) {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const W = new Uint32Array(64);
  const states = [0x36, 0x5c].map((pad) => {
    const H = new Uint32Array(INIT);
    const view = new DataView(block.map((b) => b ^ pad).buffer);
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(i * 4);
    compress(H, W);
    return H;
  });
  return { inner: states[0], outer: states[1] };
}

/** HMAC-SHA256(key, message). */
export function hmacSha256(key, message) {
  const { inner, outer } = hmacStates(key);
  const innerHash = wordsToBytes(hashInto(inner, message, 64));
  return wordsToBytes(hashInto(outer, innerHash, 64));
}

/** PBKDF2-HMAC-SHA256. Each round after the first is two compressions on ready-made states. */
export function pbkdf2Sha256(password, salt, iterations, length = 32) {
  const { inner, outer } = hmacStates(password);
  const out = new Uint8Array(length);
  const W = new Uint32Array(64);
  const H = new Uint32Array(8);
  for (let block = 1; (block - 1) * 32 < length; block++) {
    const first = new Uint8Array(salt.length + 4);
    first.set(salt);
    new DataView(first.buffer).setUint32(salt.length, block);
    const u = new Uint32Array(8);
    const u1 = new DataView(hmacSha256(password, first).buffer);
    for (let i = 0; i < 8; i++) u[i] = u1.getUint32(i * 4);
    const t = new Uint32Array(u);
    for (let round = 1; round < iterations; round++) {
      // inner: H(ipad-state, U || padding for 96 bytes)
      H.set(inner);
      W.set(u);
      W[8] = 0x80000000;
      W.fill(0, 9, 15);
      W[15] = 96 * 8;
      compress(H, W);
      // outer: H(opad-state, inner || padding for 96 bytes)
      W.set(H);
      W[8] = 0x80000000;
      W.fill(0, 9, 15);
      W[15] = 96 * 8;
      H.set(outer);
      compress(H, W);
      u.set(H);
      for (let i = 0; i < 8; i++) t[i] ^= u[i];
    }
    const bytes = wordsToBytes(t);
    out.set(bytes.subarray(0, Math.min(32, length - (block - 1) * 32)), (block - 1) * 32);
  }
  return out;
}

const utf8 = new TextEncoder();

export function toBase64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** 32 random bytes, base64: a nonce (getRandomValues works in every context). */
export function randomNonce() {
  return toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** The text each side's proof covers (protocol/auth.ts). */
export function proofText(role, serverNonce, clientNonce) {
  return `dbgremote-auth-v1\0${role}\0${serverNonce}\0${clientNonce}`;
}

/** WebCrypto, when this page may use it (a secure context). */
function subtle() {
  return globalThis.isSecureContext !== false && globalThis.crypto?.subtle
    ? globalThis.crypto.subtle
    : undefined;
}

/**
 * The password proofs, with WebCrypto or without. `useSubtle: false` forces
 * the plain-JS path (tests compare both with node:crypto).
 */
export function createProver({ useSubtle = true } = {}) {
  const s = useSubtle ? subtle() : undefined;
  return {
    native: Boolean(s),
    /** K, from the password and the server's salt and iteration count. */
    async deriveKey(password, saltB64, iterations) {
      const pw = utf8.encode(password);
      const salt = fromBase64(saltB64);
      if (!s) return pbkdf2Sha256(pw, salt, iterations);
      const base = await s.importKey("raw", pw, "PBKDF2", false, ["deriveBits"]);
      const bits = await s.deriveBits(
        { name: "PBKDF2", hash: "SHA-256", salt, iterations },
        base,
        256,
      );
      return new Uint8Array(bits);
    },
    /** base64 HMAC-SHA256(key, text). */
    async hmac(key, text) {
      const message = utf8.encode(text);
      if (!s) return toBase64(hmacSha256(key, message));
      const k = await s.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return toBase64(new Uint8Array(await s.sign("HMAC", k, message)));
    },
  };
}
