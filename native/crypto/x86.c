/*
 * SHA-1, SHA-256 and AES-128 with the x86-64 instructions made for them (SHA extensions,
 * AES-NI), chosen at load time when the CPU has them; crypto.c's portable C serves
 * otherwise, and everywhere else (routers). Same bytes either way (test/digest.test.ts
 * runs both). Through koffi on the development machine: SHA-1 of a 1500-byte certificate
 * ~1.0 µs against ~7.5, AES-128-CTR over a 1200-byte Initial ~0.25 µs against ~3.9.
 */
#include "x86.h"

#if FS_X86_CRYPTO
#include <cpuid.h>
#include <immintrin.h>
#include <stdlib.h>

int fs_x86_sha, fs_x86_aes;

/* CPUID leaf 1 ECX: SSSE3 bit 9, SSE4.1 bit 19, AES bit 25; leaf 7 EBX: SHA bit 29. */
__attribute__((constructor)) static void detect(void) {
    unsigned a, b, c, d;
    const char *force = getenv("FLOWSIEVE_CRYPTO_PORTABLE");
    if (force != NULL && force[0] != '\0' && force[0] != '0') return;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1, aes = (c >> 25) & 1;
    fs_x86_aes = aes && ssse3;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) fs_x86_sha = ((b >> 29) & 1) && ssse3 && sse41;
}

#define TARGET_SHA __attribute__((target("sha,ssse3,sse4.1")))
#define TARGET_AES __attribute__((target("aes,ssse3")))

/* SHA-256 over `blocks` 64-byte blocks (Intel's SHA extensions; state as FIPS 180-4 words). */
TARGET_SHA void fs_x86_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t blocks) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    /* The instructions keep the state as ABEF and CDGH. */
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1); /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b); /* EFGH */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);                                       /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xf0);                                            /* CDGH */
    for (; blocks > 0; blocks--, p += 64) {
        __m128i save0 = s0, save1 = s1, w[4];
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            __m128i m;
            if (g < 4) {
                m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
            } else {
                /* W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], four at a time. */
                m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(m, w[(g + 3) & 3]);
            }
            w[g & 3] = m;
            __m128i wk = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&fs_sha256_k[4 * g]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0e));
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    t = _mm_shuffle_epi32(s0, 0x1b);                 /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xb1);                /* DCHG */
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, s1, 0xf0)); /* DCBA */
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(s1, t, 8));    /* HGFE */
}

/* SHA-1 over `blocks` 64-byte blocks. */
TARGET_SHA void fs_x86_sha1_blocks(uint32_t h[5], const uint8_t *p, size_t blocks) {
    const __m128i bswap = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
    for (; blocks > 0; blocks--, p += 64) {
        __m128i save_abcd = abcd, save_e = e0, w[4], prev = abcd, x;
        /* Twenty groups of four rounds; `func` (the round function) changes every five. */
#define GROUP(g, func)                                                                                   \
    do {                                                                                                 \
        __m128i m;                                                                                       \
        if ((g) < 4) {                                                                                   \
            m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * (g))), bswap);               \
        } else {                                                                                         \
            /* W[t] = rol1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]), four at a time. */                      \
            m = _mm_xor_si128(_mm_sha1msg1_epu32(w[(g) & 3], w[((g) + 1) & 3]), w[((g) + 2) & 3]);     \
            m = _mm_sha1msg2_epu32(m, w[((g) + 3) & 3]);                                                 \
        }                                                                                                \
        w[(g) & 3] = m;                                                                                  \
        x = (g) == 0 ? _mm_add_epi32(e0, m) : _mm_sha1nexte_epu32(prev, m);                              \
        prev = abcd;                                                                                     \
        abcd = _mm_sha1rnds4_epu32(abcd, x, func);                                                       \
    } while (0)
        GROUP(0, 0); GROUP(1, 0); GROUP(2, 0); GROUP(3, 0); GROUP(4, 0);
        GROUP(5, 1); GROUP(6, 1); GROUP(7, 1); GROUP(8, 1); GROUP(9, 1);
        GROUP(10, 2); GROUP(11, 2); GROUP(12, 2); GROUP(13, 2); GROUP(14, 2);
        GROUP(15, 3); GROUP(16, 3); GROUP(17, 3); GROUP(18, 3); GROUP(19, 3);
#undef GROUP
        /* E after the last group is rol30 of A before it, plus the saved E. */
        e0 = _mm_sha1nexte_epu32(prev, save_e);
        abcd = _mm_add_epi32(abcd, save_abcd);
    }
    _mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

/* crypto.c's round keys (big-endian words) as the bytes AES-NI takes. */
TARGET_AES static void round_keys(const uint32_t w[44], __m128i rk[11]) {
    const __m128i bswap = _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    for (int i = 0; i < 11; i++) rk[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)&w[4 * i]), bswap);
}

TARGET_AES static inline __m128i encrypt(const __m128i rk[11], __m128i s) {
    s = _mm_xor_si128(s, rk[0]);
#pragma GCC unroll 9
    for (int i = 1; i < 10; i++) s = _mm_aesenc_si128(s, rk[i]);
    return _mm_aesenclast_si128(s, rk[10]);
}

TARGET_AES void fs_x86_aes128_block(const uint32_t w[44], const uint8_t in[16], uint8_t out[16]) {
    __m128i rk[11];
    round_keys(w, rk);
    _mm_storeu_si128((__m128i *)out, encrypt(rk, _mm_loadu_si128((const __m128i *)in)));
}

/* A counter block from the 128-bit big-endian counter's halves. */
static inline __m128i counter_block(uint64_t hi, uint64_t lo) {
    return _mm_set_epi64x((long long)__builtin_bswap64(lo), (long long)__builtin_bswap64(hi));
}

/* AES-128-CTR over `len` bytes in place from counter block `counter` (128-bit big-endian,
 * plus one per block, as crypto.c), four blocks at a time: one block's rounds wait on each
 * other, four blocks' overlap. */
TARGET_AES void fs_x86_aes128_ctr(const uint32_t w[44], const uint8_t counter[16], uint8_t *data, int len) {
    __m128i rk[11];
    uint8_t ks[16];
    uint64_t hi, lo;
    round_keys(w, rk);
    memcpy(&hi, counter, 8);
    memcpy(&lo, counter + 8, 8);
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap64(lo);
    int i = 0;
    for (; len - i >= 64; i += 64) {
        __m128i s[4];
#pragma GCC unroll 4
        for (int b = 0; b < 4; b++) {
            s[b] = _mm_xor_si128(counter_block(hi, lo), rk[0]);
            if (++lo == 0) hi++;
        }
#pragma GCC unroll 9
        for (int r = 1; r < 10; r++)
#pragma GCC unroll 4
            for (int b = 0; b < 4; b++) s[b] = _mm_aesenc_si128(s[b], rk[r]);
#pragma GCC unroll 4
        for (int b = 0; b < 4; b++) {
            __m128i d = _mm_loadu_si128((const __m128i *)(data + i + 16 * b));
            _mm_storeu_si128((__m128i *)(data + i + 16 * b), _mm_xor_si128(d, _mm_aesenclast_si128(s[b], rk[10])));
        }
    }
    for (; i < len; i += 16) {
        __m128i k = encrypt(rk, counter_block(hi, lo));
        if (++lo == 0) hi++;
        if (len - i >= 16) {
            __m128i d = _mm_loadu_si128((const __m128i *)(data + i));
            _mm_storeu_si128((__m128i *)(data + i), _mm_xor_si128(d, k));
        } else {
            _mm_storeu_si128((__m128i *)ks, k);
            for (int j = 0; j < len - i; j++) data[i + j] ^= ks[j];
        }
    }
}
#endif
