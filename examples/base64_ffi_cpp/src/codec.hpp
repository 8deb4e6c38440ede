// codec.hpp - standard base64 (RFC 4648, section 4): '=' padding, no line breaks, and a
// strict decoder that accepts exactly what the encoder produces. Plain C++, no ABI here:
// src/base64_ffi.cpp wraps it in the Vix FFI operation shape.
#ifndef BASE64_FFI_CPP_CODEC_HPP
#define BASE64_FFI_CPP_CODEC_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace b64 {

// 4 * ceil(n / 3), or nothing when that exceeds PTRDIFF_MAX (no buffer could hold it).
std::optional<std::size_t> encoded_size(std::size_t n) noexcept;

// Writes encoded_size(n) characters to out.
void encode(const std::uint8_t *in, std::size_t n, std::uint8_t *out) noexcept;

// The decoded size of n characters: 3 * n / 4, minus one for each of the final '=' (one
// or two). It reads only the last two characters. Requires n % 4 == 0.
std::size_t decoded_size(const std::uint8_t *in, std::size_t n) noexcept;

// Decodes n characters (n % 4 == 0) into out, which holds decoded_size(in, n) bytes.
// Returns false when the text is not strict base64; out is then partly written.
bool decode(const std::uint8_t *in, std::size_t n, std::uint8_t *out) noexcept;

// Why a length is not valid: names the offset where the incomplete quantum starts.
std::string describe_bad_length(std::size_t n);

// Why the text (n % 4 == 0, refused by decode) is not strict base64, naming the offset
// of the first problem. Runs on the error path only.
std::string describe_invalid(const std::uint8_t *in, std::size_t n);

} // namespace b64

#endif
