/* x86-64 hardware paths of crypto.c (x86.c); FS_X86_CRYPTO is 0 on every other target. */
#ifndef FS_CRYPTO_X86_H
#define FS_CRYPTO_X86_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* SHA-256's round constants (crypto.c). */
extern const uint32_t fs_sha256_k[64];

#if defined(__x86_64__) && defined(__GNUC__)
#define FS_X86_CRYPTO 1
/* Set at load time when the CPU has the instructions (and FLOWSIEVE_CRYPTO_PORTABLE is not set). */
extern int fs_x86_sha, fs_x86_aes;
void fs_x86_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t blocks);
void fs_x86_sha1_blocks(uint32_t h[5], const uint8_t *p, size_t blocks);
void fs_x86_aes128_block(const uint32_t w[44], const uint8_t in[16], uint8_t out[16]);
void fs_x86_aes128_ctr(const uint32_t w[44], const uint8_t counter[16], uint8_t *data, int len);
#else
#define FS_X86_CRYPTO 0
#endif

#endif
