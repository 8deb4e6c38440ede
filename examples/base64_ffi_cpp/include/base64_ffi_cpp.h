/*
 * base64_ffi_cpp.h - the C API of the C++ example library libbase64_ffi_cpp.
 *
 * The same three functions, with the same behaviour, as the Rust example base64_ffi:
 * standard alphabet (A-Z a-z 0-9 + /), '=' padding, no line breaks; strict decoding.
 *
 * Both operations have the operation shape of <vix/ffi/vix_ffi.h>: 0 on success and the
 * status code otherwise, *out_status written on every call when out_status is not NULL,
 * nothing written past out_cap. When out_cap is below the result size the call fails
 * with VIX_STATUS_BUFFER_TOO_SMALL and the size in *out_len, before any work; so
 * out_ptr = NULL, out_cap = 0 asks for the size. Messages belong to the library and stay
 * valid until the next call on the same thread. No C++ exception leaves these functions.
 */
#ifndef BASE64_FFI_CPP_H
#define BASE64_FFI_CPP_H

#include <stddef.h>
#include <stdint.h>

#include <vix/ffi/vix_ffi.h>

/* The C++ definitions are noexcept; C++ callers see it, C callers see nothing. */
#ifdef __cplusplus
#define BASE64_FFI_NOEXCEPT noexcept
extern "C" {
#else
#define BASE64_FFI_NOEXCEPT
#endif

/* The library version, a static string (not NUL-terminated for the caller, never freed).
 * Writes an OK status when out_status is not NULL. */
VIX_FFI_API vix_str VIX_FFI_CALL base64_ffi_version(vix_status *out_status) BASE64_FFI_NOEXCEPT;

/*
 * Encodes in_len bytes as base64 text: exactly 4 * ceil(in_len / 3) ASCII bytes, no NUL.
 * VIX_STATUS_INVALID_ARG for bad pointer arguments or an input whose encoding could not
 * fit in any buffer.
 */
VIX_FFI_API int VIX_FFI_CALL base64_encode(const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr,
                                           size_t out_cap, size_t *out_len,
                                           vix_status *out_status) BASE64_FFI_NOEXCEPT;

/*
 * Decodes strict base64: a length that is a multiple of 4, only alphabet characters,
 * '=' only as the last one or two characters, no whitespace, and zero unused bits in the
 * last character before the padding. Anything else is VIX_STATUS_INVALID_ARG with a
 * message naming the offset of the problem. The result size, 3 * in_len / 4 minus one per
 * final '=', depends on the length and the last two characters only; a wrong length is
 * refused first, then a small buffer, then bad characters. After VIX_STATUS_INVALID_ARG
 * the contents of out_ptr[0 .. out_cap) are unspecified.
 */
VIX_FFI_API int VIX_FFI_CALL base64_decode(const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr,
                                           size_t out_cap, size_t *out_len,
                                           vix_status *out_status) BASE64_FFI_NOEXCEPT;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BASE64_FFI_CPP_H */
