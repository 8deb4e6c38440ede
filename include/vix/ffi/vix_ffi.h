/*
 * vix_ffi.h - Vix FFI C ABI v1, everything at once.
 *
 * A library that Python reaches through Vix FFI exports plain C functions built from
 * these types. Its operations share one shape:
 *
 *     int pkg_op(const uint8_t *in_ptr, size_t in_len,
 *                uint8_t *out_ptr, size_t out_cap, size_t *out_len,
 *                vix_status *out_status);
 *
 * - Returns 0 on success and non-zero on failure. *out_status is written on every call
 *   when out_status is not NULL; *out_len is written on every success.
 * - out_len == NULL, in_ptr == NULL with in_len > 0, and out_ptr == NULL with
 *   out_cap > 0 are VIX_STATUS_INVALID_ARG.
 * - When out_cap is below the size of the result: *out_len receives that size, the code
 *   is VIX_STATUS_BUFFER_TOO_SMALL and the call fails. So out_ptr = NULL, out_cap = 0 asks
 *   for the size.
 * - Nothing is ever written past out_cap, and no C++ exception or Rust panic crosses the
 *   call: they become VIX_STATUS_ERROR with a message.
 *
 * Every module also exports vix_str <pkg>_ffi_version(vix_status *out_status), which
 * returns a static string the caller never frees. Every exported symbol starts with the
 * package prefix.
 */
#ifndef VIX_FFI_H
#define VIX_FFI_H

#include "vix_ffi_config.h"
#include "vix_ffi_export.h"
#include "vix_ffi_types.h"
#include "vix_ffi_status.h"
#include "vix_ffi_memory.h"

#endif /* VIX_FFI_H */
