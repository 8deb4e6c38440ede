/*
 * vix_ffi_types.h - borrowed views of strings and byte buffers (Vix FFI ABI v1).
 *
 * All three are plain pairs of a pointer and a size_t: standard layout, trivially
 * copyable, 16 bytes with 8-byte alignment on LP64. None of them owns what it points at.
 */
#ifndef VIX_FFI_TYPES_H
#define VIX_FFI_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A string of len bytes, UTF-8 when it holds text.
 * - It is NOT NUL-terminated: read exactly len bytes, never up to a NUL (the text may
 *   even contain NUL bytes).
 * - ptr may be NULL only when len is 0.
 */
typedef struct vix_str {
    const char *ptr;
    size_t len;
} vix_str;

/* Read-only bytes: len bytes at ptr; ptr may be NULL only when len is 0. */
typedef struct vix_buf {
    const uint8_t *ptr;
    size_t len;
} vix_buf;

/* Writable room for cap bytes at ptr; ptr may be NULL only when cap is 0. */
typedef struct vix_mut_buf {
    uint8_t *ptr;
    size_t cap;
} vix_mut_buf;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VIX_FFI_TYPES_H */
