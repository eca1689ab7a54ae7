/*
 * What every flowsieve native module shares: the visibility of the functions JavaScript
 * calls (everything else stays hidden, so modules cannot clash). The ABI itself is
 * declared once, in TypeScript, in src/runtime/native-abi.ts; keep the two in step.
 */
#ifndef FLOWSIEVE_ABI_H
#define FLOWSIEVE_ABI_H
#define FS_EXPORT __attribute__((visibility("default")))
#endif
