/*
 * base64_ffi.h - the example Vix FFI library: standard base64 over ABI v1.
 *
 * Encoding uses the standard alphabet (A-Z a-z 0-9 + /), pads with '=' to a multiple of
 * four characters and never inserts line breaks. Decoding is strict and accepts exactly
 * what the encoder produces.
 *
 * The two operations follow the operation shape of <vix/ffi/vix_ffi.h>: they return 0 on
 * success and non-zero on failure, always write *out_status when out_status is not NULL,
 * and never write past out_cap. A call with out_cap smaller than the result fails with
 * VIX_STATUS_BUFFER_TOO_SMALL and puts the size needed in *out_len, without writing to
 * out_ptr; out_ptr = NULL, out_cap = 0 is therefore a size query. Messages are owned by
 * the library and stay valid until the next call on the same thread.
 */
#ifndef BASE64_BASE64_FFI_H
#define BASE64_BASE64_FFI_H

#include <stddef.h>
#include <stdint.h>

#include <vix/ffi/vix_ffi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, a static UTF-8 string (not NUL-terminated, never freed).
 * Writes an OK status when out_status is not NULL. */
VIX_FFI_API vix_str VIX_FFI_CALL base64_ffi_version(vix_status *out_status);

/*
 * Encodes in_len bytes at in_ptr as base64 text (ASCII, no NUL terminator).
 * The result is exactly 4 * ceil(in_len / 3) bytes; empty input gives empty output.
 * Errors: VIX_STATUS_INVALID_ARG for bad pointer arguments or an input whose encoding
 * would not fit in a size_t; VIX_STATUS_BUFFER_TOO_SMALL as described above.
 */
VIX_FFI_API int VIX_FFI_CALL base64_encode(const uint8_t *in_ptr, size_t in_len,
                                           uint8_t *out_ptr, size_t out_cap,
                                           size_t *out_len, vix_status *out_status);

/*
 * Decodes in_len bytes of base64 text at in_ptr into bytes.
 * The text must be padded standard base64: its length a multiple of 4, only characters of
 * the alphabet, '=' only as the last one or two characters, no whitespace or line
 * breaks, and the unused low bits of the last character before the padding set to zero.
 * Anything else is VIX_STATUS_INVALID_ARG with a message naming the offending offset.
 * The result is 3 * (in_len / 4) bytes minus one per '=' of padding. That size comes
 * from the length and the final '=' alone, so a buffer below it gives
 * VIX_STATUS_BUFFER_TOO_SMALL (with the size in *out_len) before the characters are
 * checked; only a wrong length is refused first. After VIX_STATUS_INVALID_ARG the
 * contents of out_ptr[0 .. out_cap) are unspecified.
 */
VIX_FFI_API int VIX_FFI_CALL base64_decode(const uint8_t *in_ptr, size_t in_len,
                                           uint8_t *out_ptr, size_t out_cap,
                                           size_t *out_len, vix_status *out_status);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BASE64_BASE64_FFI_H */
