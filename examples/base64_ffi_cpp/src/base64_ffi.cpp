// base64_ffi.cpp - the three exported functions of libbase64_ffi_cpp, written with
// <vix/ffi/vix_ffi.hpp>: the helper checks the arguments, answers a small buffer before
// any work, writes the status, and turns every exception into a status.
#include "base64_ffi_cpp.h"

#include <vix/ffi/vix_ffi.hpp>

#include <string>

#include "codec.hpp"

#ifndef BASE64_FFI_CPP_VERSION
#error "BASE64_FFI_CPP_VERSION is set by CMakeLists.txt"
#endif

namespace {

std::size_t encoded_size_or_throw(std::size_t n)
{
    if (const auto size = b64::encoded_size(n)) {
        return *size;
    }
    throw vix::ffi::invalid_arg("input of " + std::to_string(n) +
                                " bytes is too large: its base64 encoding would exceed the largest possible buffer");
}

} // namespace

extern "C" VIX_FFI_API vix_str VIX_FFI_CALL base64_ffi_version(vix_status *out_status) noexcept
{
    return vix::ffi::version(out_status, BASE64_FFI_CPP_VERSION);
}

extern "C" VIX_FFI_API int VIX_FFI_CALL base64_encode(const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr,
                                                      size_t out_cap, size_t *out_len,
                                                      vix_status *out_status) noexcept
{
    return vix::ffi::sized(
        {in_ptr, in_len, out_ptr, out_cap, out_len, out_status},
        [](vix::ffi::byte_view in) { return encoded_size_or_throw(in.size()); },
        [](vix::ffi::byte_view in, vix::ffi::byte_span out) { b64::encode(in.data(), in.size(), out.data()); });
}

extern "C" VIX_FFI_API int VIX_FFI_CALL base64_decode(const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr,
                                                      size_t out_cap, size_t *out_len,
                                                      vix_status *out_status) noexcept
{
    return vix::ffi::sized(
        {in_ptr, in_len, out_ptr, out_cap, out_len, out_status},
        [](vix::ffi::byte_view in) {
            if (in.size() % 4 != 0) {
                throw vix::ffi::invalid_arg(b64::describe_bad_length(in.size()));
            }
            return b64::decoded_size(in.data(), in.size());
        },
        [](vix::ffi::byte_view in, vix::ffi::byte_span out) {
            if (!b64::decode(in.data(), in.size(), out.data())) {
                throw vix::ffi::invalid_arg(b64::describe_invalid(in.data(), in.size()));
            }
        });
}
