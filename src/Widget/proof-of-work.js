/*! OnSale box office widget — proof of work v1. Plain ES2020, no dependencies.
 * For hot on-sales the gateway asks each join for a solved challenge: a nonce such that
 * SHA-256(challenge + ":" + nonce) starts with `difficulty` zero bits. Loaded by the frame as a classic script (it
 * then offers OnSaleProofOfWork.solve) and, from the same address, as the dedicated worker that does the hashing so
 * that the page stays responsive; without workers it hashes on the page in short slices. SHA-256 is written out here,
 * synchronous: crypto.subtle.digest costs a promise per hash, which is many times slower for millions of small hashes. */
(() => {
  'use strict';

  const K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const MAX_NONCE_DIGITS = 15; // stays an exact Number; 10^15 hashes is far beyond any difficulty the gateway sets

  /**
   * One SHA-256 compression of the sixteen big-endian words in w into state (eight int32 words), in place. The
   * message schedule runs in w itself as a ring of sixteen, which V8 keeps faster than a 64-word array.
   */
  function compress(state, w) {
    let a = state[0];
    let b = state[1];
    let c = state[2];
    let d = state[3];
    let e = state[4];
    let f = state[5];
    let g = state[6];
    let h = state[7];
    for (let i = 0; i < 64; i += 1) {
      let wi;
      if (i < 16) {
        wi = w[i];
      } else {
        const x = w[(i - 15) & 15];
        const y = w[(i - 2) & 15];
        wi = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3))
          + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[(i - 7) & 15] + w[i & 15] | 0;
        w[i & 15] = wi;
      }
      const t1 = h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7)))
        + ((e & f) ^ (~e & g)) + K[i] + wi | 0;
      const t2 = (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10)))
        + ((a & b) ^ (a & c) ^ (b & c)) | 0;
      h = g;
      g = f;
      f = e;
      e = d + t1 | 0;
      d = c;
      c = b;
      b = a;
      a = t1 + t2 | 0;
    }
    state[0] = state[0] + a | 0;
    state[1] = state[1] + b | 0;
    state[2] = state[2] + c | 0;
    state[3] = state[3] + d | 0;
    state[4] = state[4] + e | 0;
    state[5] = state[5] + f | 0;
    state[6] = state[6] + g | 0;
    state[7] = state[7] + h | 0;
  }

  function hasLeadingZeroBits(state, bits) {
    for (let i = 0; bits > 0; i += 1, bits -= 32) {
      const word = state[i] >>> 0;
      if (bits >= 32 ? word !== 0 : word >>> (32 - bits) !== 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * A search for the nonce of one challenge, run in steps. The message's whole 64-byte blocks before the nonce are
   * hashed once (the midstate); each attempt hashes only the last block or two, whose words are kept ready and
   * patched where the nonce's digits (counted up in place) changed.
   */
  function search(challenge, difficulty) {
    const prefix = new TextEncoder().encode(`${challenge}:`);
    const whole = prefix.length - (prefix.length % 64);
    const w = new Int32Array(16);
    const mid = Int32Array.from(INITIAL);
    for (let offset = 0; offset < whole; offset += 64) {
      for (let i = 0; i < 16; i += 1) {
        const j = offset + i * 4;
        w[i] = (prefix[j] << 24) | (prefix[j + 1] << 16) | (prefix[j + 2] << 8) | prefix[j + 3];
      }
      compress(mid, w);
    }
    const head = prefix.length - whole;
    const tail = new Uint8Array(128);
    const words = new Int32Array(32);
    const state = new Int32Array(8);
    const digits = [0x30]; // "0", most significant first
    let blocks = 1;
    let attempts = 0;

    const toWords = (from, to) => {
      for (let i = from >> 2; i < (to + 3) >> 2; i += 1) {
        const j = i * 4;
        words[i] = (tail[j] << 24) | (tail[j + 1] << 16) | (tail[j + 2] << 8) | tail[j + 3];
      }
    };
    // The whole last block(s): the prefix's rest, the digits, the 0x80 and the message's length in bits.
    const layOut = () => {
      const length = head + digits.length;
      tail.fill(0);
      tail.set(prefix.subarray(whole));
      tail.set(digits, head);
      tail[length] = 0x80;
      blocks = length + 9 <= 64 ? 1 : 2;
      const bits = (prefix.length + digits.length) * 8;
      const end = blocks * 64;
      tail[end - 4] = bits >>> 24;
      tail[end - 3] = bits >>> 16;
      tail[end - 2] = bits >>> 8;
      tail[end - 1] = bits;
      toWords(0, 128);
    };
    const increment = () => {
      for (let i = digits.length - 1; i >= 0; i -= 1) {
        if (digits[i] !== 0x39) {
          digits[i] += 1;
          for (let k = i; k < digits.length; k += 1) {
            tail[head + k] = digits[k];
          }
          toWords(head + i, head + digits.length);
          return;
        }
        digits[i] = 0x30;
      }
      digits.unshift(0x31);
      layOut();
    };
    layOut();

    const attempt = () => {
      w.set(words.subarray(0, 16));
      state.set(mid);
      compress(state, w);
      if (blocks === 2) {
        w.set(words.subarray(16, 32));
        compress(state, w);
      }
      return hasLeadingZeroBits(state, difficulty);
    };

    return {
      get attempts() {
        return attempts;
      },
      /** Tries up to `budget` nonces; the solution as a string, or null to be called again. */
      step(budget) {
        for (let n = 0; n < budget; n += 1) {
          attempts += 1;
          if (attempt()) {
            return String.fromCharCode(...digits);
          }
          if (digits.length >= MAX_NONCE_DIGITS) {
            throw new Error('no nonce found');
          }
          increment();
        }
        return null;
      },
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // As a dedicated worker: one challenge per message, solved in one go (the page terminates us if it gives up).

  if (typeof importScripts === 'function') {
    self.addEventListener('message', (event) => {
      const { challenge, difficulty } = event.data || {};
      try {
        const found = search(String(challenge), Number(difficulty));
        let nonce = null;
        while (nonce === null) {
          nonce = found.step(1 << 16);
        }
        self.postMessage({ nonce, attempts: found.attempts });
      } catch (e) {
        self.postMessage({ error: String(e && e.message) });
      }
    });
    return;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // On the page.

  const source = document.currentScript && document.currentScript.src;
  const SLICE_MS = 12;

  /** On the page itself, in slices of about 12 ms, so that the frame still paints and answers between them. */
  function solveInSlices(challenge, difficulty) {
    return new Promise((resolve, reject) => {
      const found = search(challenge, difficulty);
      let budget = 2048;
      const slice = () => {
        try {
          const started = performance.now();
          const nonce = found.step(budget);
          if (nonce !== null) {
            resolve({ nonce, attempts: found.attempts, where: 'page' });
            return;
          }
          const took = performance.now() - started;
          budget = Math.max(256, Math.min(1 << 20, Math.round(budget * (SLICE_MS / Math.max(1, took)))));
          setTimeout(slice, 0);
        } catch (e) {
          reject(e);
        }
      };
      setTimeout(slice, 0);
    });
  }

  function solveInWorker(challenge, difficulty) {
    return new Promise((resolve, reject) => {
      const worker = new Worker(source);
      worker.addEventListener('message', (event) => {
        worker.terminate();
        const answer = event.data || {};
        if (typeof answer.nonce === 'string') {
          resolve({ nonce: answer.nonce, attempts: answer.attempts, where: 'worker' });
        } else {
          reject(new Error(answer.error || 'the worker found no nonce'));
        }
      });
      worker.addEventListener('error', (event) => {
        worker.terminate();
        event.preventDefault();
        reject(new Error('the worker failed'));
      });
      worker.postMessage({ challenge, difficulty });
    });
  }

  window.OnSaleProofOfWork = {
    /** Resolves to {nonce, attempts, ms, where}; in a worker where the browser allows one, else on the page. */
    async solve(challenge, difficulty) {
      const started = performance.now();
      let result;
      try {
        if (typeof Worker !== 'function' || !source) {
          throw new Error('no worker');
        }
        result = await solveInWorker(challenge, difficulty);
      } catch {
        result = await solveInSlices(challenge, difficulty);
      }
      return { ...result, ms: Math.round(performance.now() - started) };
    },
  };
})();
