/*
 * The few crypto primitives the classifier needs: per QUIC flow AES-128 for Initial
 * header protection and payloads, AES-128-GCM for Google QUIC's authenticated Initials,
 * HMAC-SHA256 for the Initial key schedule; per TLS certificate SHA-1. In C for
 * txiki.js: its interpreter runs an AES block in ~5 µs, this in well under 0.1 µs, and
 * one FFI call costs ~0.5 µs. Plain portable C, no library (most routers have no crypto
 * instructions); on x86-64 hosts x86.c takes the blocks when the CPU has SHA and AES-NI.
 * JavaScript keeps its own versions for when this library is absent; all give the same
 * bytes (test/digest.test.ts).
 */
#include <stdint.h>
#include <string.h>

#include "../common/abi.h"
#include "x86.h"

/* ---- AES-128 encryption (FIPS 197), 32-bit T-tables built on first use ---- */

static uint8_t sbox[256];
static uint32_t te0[256], te1[256], te2[256], te3[256];
static int tables_ready;

static uint8_t xtime(uint8_t b) {
    return (uint8_t)((b << 1) ^ ((b & 0x80) ? 0x1b : 0));
}

static uint8_t rotl8(uint8_t x, int n) {
    return (uint8_t)((x << n) | (x >> (8 - n)));
}

/* The S-box from the multiplicative inverse (walking generator 3 and its inverse). */
static void build_tables(void) {
    uint8_t p = 1, q = 1;
    do {
        p = p ^ xtime(p);
        q ^= q << 1;
        q ^= q << 2;
        q ^= q << 4;
        if (q & 0x80) q ^= 0x09;
        sbox[p] = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63;
    } while (p != 1);
    sbox[0] = 0x63;
    for (int i = 0; i < 256; i++) {
        uint32_t s = sbox[i];
        uint32_t t = ((uint32_t)xtime((uint8_t)s) << 24) | (s << 16) | (s << 8) | (uint32_t)(xtime((uint8_t)s) ^ s);
        te0[i] = t;
        te1[i] = (t >> 8) | (t << 24);
        te2[i] = (t >> 16) | (t << 16);
        te3[i] = (t >> 24) | (t << 8);
    }
    tables_ready = 1;
}

static uint32_t load32(const uint8_t *b) {
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void store32(uint8_t *b, uint32_t v) {
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static void expand_key(const uint8_t *key, uint32_t w[44]) {
    if (!tables_ready) build_tables();
    for (int i = 0; i < 4; i++) w[i] = load32(key + 4 * i);
    uint32_t rcon = 1;
    for (int i = 4; i < 44; i++) {
        uint32_t t = w[i - 1];
        if ((i & 3) == 0) {
            t = (((uint32_t)sbox[(t >> 16) & 0xff] << 24) | ((uint32_t)sbox[(t >> 8) & 0xff] << 16) |
                 ((uint32_t)sbox[t & 0xff] << 8) | sbox[t >> 24]) ^ (rcon << 24);
            rcon = xtime((uint8_t)rcon);
        }
        w[i] = w[i - 4] ^ t;
    }
}

static void encrypt_block_c(const uint32_t w[44], const uint8_t in[16], uint8_t out[16]) {
    uint32_t s0 = load32(in) ^ w[0], s1 = load32(in + 4) ^ w[1];
    uint32_t s2 = load32(in + 8) ^ w[2], s3 = load32(in + 12) ^ w[3];
    for (int k = 4; k < 40; k += 4) {
        uint32_t t0 = te0[s0 >> 24] ^ te1[(s1 >> 16) & 0xff] ^ te2[(s2 >> 8) & 0xff] ^ te3[s3 & 0xff] ^ w[k];
        uint32_t t1 = te0[s1 >> 24] ^ te1[(s2 >> 16) & 0xff] ^ te2[(s3 >> 8) & 0xff] ^ te3[s0 & 0xff] ^ w[k + 1];
        uint32_t t2 = te0[s2 >> 24] ^ te1[(s3 >> 16) & 0xff] ^ te2[(s0 >> 8) & 0xff] ^ te3[s1 & 0xff] ^ w[k + 2];
        uint32_t t3 = te0[s3 >> 24] ^ te1[(s0 >> 16) & 0xff] ^ te2[(s1 >> 8) & 0xff] ^ te3[s2 & 0xff] ^ w[k + 3];
        s0 = t0;
        s1 = t1;
        s2 = t2;
        s3 = t3;
    }
#define LAST(a, b, c, d)                                                                                \
    ((((uint32_t)sbox[(a) >> 24] << 24) | ((uint32_t)sbox[((b) >> 16) & 0xff] << 16) |                \
      ((uint32_t)sbox[((c) >> 8) & 0xff] << 8) | sbox[(d) & 0xff]))
    store32(out, LAST(s0, s1, s2, s3) ^ w[40]);
    store32(out + 4, LAST(s1, s2, s3, s0) ^ w[41]);
    store32(out + 8, LAST(s2, s3, s0, s1) ^ w[42]);
    store32(out + 12, LAST(s3, s0, s1, s2) ^ w[43]);
#undef LAST
}

static void encrypt_block(const uint32_t w[44], const uint8_t in[16], uint8_t out[16]) {
#if FS_X86_CRYPTO
    if (fs_x86_aes) {
        fs_x86_aes128_block(w, in, out);
        return;
    }
#endif
    encrypt_block_c(w, in, out);
}

/* AES-128 of one 16-byte block: `out` = E(key, in). */
FS_EXPORT int fs_aes128_ecb(const uint8_t *key, const uint8_t *in, uint8_t *out) {
    uint32_t w[44];
    expand_key(key, w);
    encrypt_block(w, in, out);
    return 0;
}

/* AES-128-CTR in place over `len` bytes of `data`; `counter` is the first counter block
 * (128-bit big-endian, incremented per block). Returns 0, or -1 for a negative length. */
FS_EXPORT int fs_aes128_ctr(const uint8_t *key, const uint8_t *counter, uint8_t *data, int len) {
    if (len < 0) return -1;
    uint32_t w[44];
    uint8_t ctr[16], ks[16];
    expand_key(key, w);
#if FS_X86_CRYPTO
    if (fs_x86_aes) {
        fs_x86_aes128_ctr(w, counter, data, len);
        return 0;
    }
#endif
    /* Plain C from here: the CPU's AES instructions took the whole span above. */
    memcpy(ctr, counter, 16);
    for (int i = 0; i < len; i += 16) {
        encrypt_block_c(w, ctr, ks);
        int n = len - i < 16 ? len - i : 16;
        for (int j = 0; j < n; j++) data[i + j] ^= ks[j];
        for (int j = 15; j >= 0 && ++ctr[j] == 0; j--) {
        }
    }
    return 0;
}

/* ---- AES-128-GCM opening (NIST SP 800-38D), 96-bit nonces only ---- */

static uint64_t load64(const uint8_t *b) {
    return ((uint64_t)load32(b) << 32) | load32(b + 4);
}

/* x = x * h in GF(2^128), bit by bit (SP 800-38D algorithm 1): only Google QUIC's Initials
 * are authenticated, a few packets per flow at most. */
static void gf_mul(uint64_t x[2], const uint64_t h[2]) {
    uint64_t zh = 0, zl = 0, vh = h[0], vl = h[1];
    for (int i = 0; i < 128; i++) {
        uint64_t bit = (i < 64 ? x[0] >> (63 - i) : x[1] >> (127 - i)) & 1;
        uint64_t m = 0 - bit;
        zh ^= vh & m;
        zl ^= vl & m;
        uint64_t lsb = vl & 1;
        vl = (vl >> 1) | (vh << 63);
        vh = (vh >> 1) ^ ((0 - lsb) & 0xe100000000000000ULL);
    }
    x[0] = zh;
    x[1] = zl;
}

static void ghash(uint64_t y[2], const uint64_t h[2], const uint8_t *p, int len) {
    for (int i = 0; i < len; i += 16) {
        uint8_t block[16] = {0};
        memcpy(block, p + i, len - i < 16 ? (size_t)(len - i) : 16);
        y[0] ^= load64(block);
        y[1] ^= load64(block + 8);
        gf_mul(y, h);
    }
}

/* Open `sealed` (ciphertext then its 16-byte tag, `len` bytes in all) in place with a
 * 12-byte nonce and `aad`: 0 with the plaintext in the first len - 16 bytes when the tag
 * matches, -1 when it does not (the bytes are then left as they were). */
FS_EXPORT int fs_aes128_gcm_open(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, int aad_len, uint8_t *sealed, int len) {
    if (aad_len < 0 || len < 16) return -1;
    int n = len - 16;
    uint32_t w[44];
    uint8_t zero[16] = {0}, hb[16], j0[16], ek[16], lens[16];
    expand_key(key, w);
    encrypt_block(w, zero, hb);
    uint64_t h[2] = {load64(hb), load64(hb + 8)}, y[2] = {0, 0};
    ghash(y, h, aad, aad_len);
    ghash(y, h, sealed, n);
    uint64_t abits = (uint64_t)aad_len * 8, cbits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++) {
        lens[i] = (uint8_t)(abits >> (56 - 8 * i));
        lens[8 + i] = (uint8_t)(cbits >> (56 - 8 * i));
    }
    ghash(y, h, lens, 16);
    memcpy(j0, nonce, 12);
    j0[12] = j0[13] = j0[14] = 0;
    j0[15] = 1;
    encrypt_block(w, j0, ek);
    uint8_t diff = 0;
    for (int i = 0; i < 8; i++) {
        diff |= (uint8_t)(ek[i] ^ (uint8_t)(y[0] >> (56 - 8 * i)) ^ sealed[n + i]);
        diff |= (uint8_t)(ek[8 + i] ^ (uint8_t)(y[1] >> (56 - 8 * i)) ^ sealed[n + 8 + i]);
    }
    if (diff) return -1;
    j0[15] = 2; /* the payload's counter blocks follow J0 */
    return fs_aes128_ctr(key, j0, sealed, n);
}

/* ---- SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) ---- */

/* The round constants (FIPS 180-4 §4.2.2); x86.c uses them too. */
const uint32_t fs_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

typedef struct {
    uint32_t h[8];
    uint8_t buf[64];
    uint64_t total;
} sha256_ctx;

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block_c(uint32_t h[8], const uint8_t *p) {
    uint32_t m[64];
    for (int i = 0; i < 16; i++) m[i] = load32(p + 4 * i);
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(m[i - 15], 7) ^ ROR(m[i - 15], 18) ^ (m[i - 15] >> 3);
        uint32_t s1 = ROR(m[i - 2], 17) ^ ROR(m[i - 2], 19) ^ (m[i - 2] >> 10);
        m[i] = m[i - 16] + s0 + m[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + fs_sha256_k[i] + m[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

/* `blocks` 64-byte blocks into the state. */
static void sha256_blocks(uint32_t h[8], const uint8_t *p, size_t blocks) {
#if FS_X86_CRYPTO
    if (fs_x86_sha) {
        fs_x86_sha256_blocks(h, p, blocks);
        return;
    }
#endif
    for (; blocks > 0; blocks--, p += 64) sha256_block_c(h, p);
}

static void sha256_init(sha256_ctx *c) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n) {
    if (n == 0) return; /* an empty buffer may come as a null pointer */
    size_t have = (size_t)(c->total & 63);
    c->total += n;
    if (have) {
        size_t take = 64 - have < n ? 64 - have : n;
        memcpy(c->buf + have, p, take);
        p += take;
        n -= take;
        if (have + take < 64) return;
        sha256_blocks(c->h, c->buf, 1);
    }
    sha256_blocks(c->h, p, n / 64);
    p += n & ~(size_t)63;
    n &= 63;
    memcpy(c->buf, p, n);
}

static void sha256_final(sha256_ctx *c, uint8_t out[32]) {
    uint64_t bits = c->total * 8;
    size_t have = (size_t)(c->total & 63);
    c->buf[have++] = 0x80;
    if (have > 56) {
        memset(c->buf + have, 0, 64 - have);
        sha256_blocks(c->h, c->buf, 1);
        have = 0;
    }
    memset(c->buf + have, 0, 56 - have);
    for (int i = 0; i < 8; i++) c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_blocks(c->h, c->buf, 1);
    for (int i = 0; i < 8; i++) store32(out + 4 * i, c->h[i]);
}

/* SHA-256 of `a` followed by `b` into `out` (32 bytes). */
FS_EXPORT int fs_sha256(const uint8_t *a, int a_len, const uint8_t *b, int b_len, uint8_t *out) {
    if (a_len < 0 || b_len < 0) return -1;
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, a, (size_t)a_len);
    sha256_update(&c, b, (size_t)b_len);
    sha256_final(&c, out);
    return 0;
}

/* HMAC-SHA256(key, msg) into `out` (32 bytes). */
FS_EXPORT int fs_hmac_sha256(const uint8_t *key, int key_len, const uint8_t *msg, int msg_len, uint8_t *out) {
    if (key_len < 0 || msg_len < 0) return -1;
    uint8_t pad[64] = {0}, inner[32];
    sha256_ctx c;
    if (key_len > 64) {
        sha256_init(&c);
        sha256_update(&c, key, (size_t)key_len);
        sha256_final(&c, pad);
    } else if (key_len > 0) {
        memcpy(pad, key, (size_t)key_len);
    }
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36;
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, msg, (size_t)msg_len);
    sha256_final(&c, inner);
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36 ^ 0x5c;
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, inner, 32);
    sha256_final(&c, out);
    return 0;
}

/*
 * A QUIC Initial key schedule in one call (RFC 9001 §5.2; a call through tjs:ffi costs
 * more than the hashing): HKDF-Extract(salt, ikm), then HKDF-Expand with the first info
 * into a 32-byte secret, then HKDF-Expand of that secret with each further info. `infos`
 * holds each info (RFC 8446 HkdfLabel followed by the counter byte 0x01) after a length
 * byte; each output is as long as its HkdfLabel says (at most 32) and they go to `out`
 * one after another. Returns the bytes written, or -1 on a malformed list.
 */
FS_EXPORT int fs_hkdf_chain(const uint8_t *salt, int salt_len, const uint8_t *ikm, int ikm_len,
                            const uint8_t *infos, int infos_len, uint8_t *out) {
    uint8_t secret[32], next[32];
    if (fs_hmac_sha256(salt, salt_len, ikm, ikm_len, secret) != 0) return -1;
    int o = 0, written = 0;
    for (int i = 0; o < infos_len; i++) {
        int n = infos[o];
        if (n < 3 || o + 1 + n > infos_len) return -1;
        const uint8_t *info = infos + o + 1;
        int len = (info[0] << 8) | info[1];
        if (len > 32) return -1;
        fs_hmac_sha256(secret, 32, info, n, next);
        if (i == 0) {
            memcpy(secret, next, 32);
        } else {
            memcpy(out + written, next, (size_t)len);
            written += len;
        }
        o += 1 + n;
    }
    return written;
}

/* ---- SHA-1 (FIPS 180-4 §6.1): TLS certificates' fingerprints, a few per flow that sends them ---- */

static uint32_t rol32(uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

static void sha1_block_c(uint32_t h[5], const uint8_t *p) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) w[i] = load32(p + 4 * i);
    for (int i = 16; i < 80; i++) w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

static void sha1_blocks(uint32_t h[5], const uint8_t *p, size_t blocks) {
#if FS_X86_CRYPTO
    if (fs_x86_sha) {
        fs_x86_sha1_blocks(h, p, blocks);
        return;
    }
#endif
    for (; blocks > 0; blocks--, p += 64) sha1_block_c(h, p);
}

/* SHA-1 of `data` into `out` (20 bytes). */
FS_EXPORT int fs_sha1(const uint8_t *data, int len, uint8_t *out) {
    if (len < 0) return -1;
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    size_t n = (size_t)len;
    const uint8_t *p = data;
    sha1_blocks(h, p, n / 64);
    p += n & ~(size_t)63;
    n &= 63;
    /* The tail, a 1 bit, zeros and the length in bits: one block, or two past 55 bytes. */
    uint8_t tail[128] = {0};
    if (n > 0) memcpy(tail, p, n); /* an empty buffer may come as a null pointer */
    tail[n] = 0x80;
    size_t end = n < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) tail[end - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha1_blocks(h, tail, end / 64);
    for (int i = 0; i < 5; i++) store32(out + 4 * i, h[i]);
    return 0;
}
