// codec.cpp - the base64 codec behind base64_ffi_cpp. Scalar and table-driven: three
// bytes become four characters, four characters become three bytes.
#include "codec.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace b64 {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Sextet value of each byte, or kInvalid; '=' is kInvalid too (padding is handled apart).
constexpr std::uint8_t kInvalid = 0x80;

constexpr std::array<std::uint8_t, 256> make_sextets()
{
    std::array<std::uint8_t, 256> table{};
    for (auto &value : table) {
        value = kInvalid;
    }
    for (std::uint8_t i = 0; i < 64; ++i) {
        table[static_cast<unsigned char>(kAlphabet[i])] = i;
    }
    return table;
}

constexpr std::array<std::uint8_t, 256> kSextets = make_sextets();

constexpr std::size_t kMaxBuffer = static_cast<std::size_t>(PTRDIFF_MAX);

bool in_alphabet(std::uint8_t c) noexcept { return kSextets[c] != kInvalid; }

bool is_whitespace(std::uint8_t c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string hex_byte(std::uint8_t c)
{
    constexpr char digits[] = "0123456789abcdef";
    return std::string("0x") + digits[c >> 4] + digits[c & 0x0f];
}

// A printable ASCII character in single quotes, with ' and \ escaped.
std::string quoted(std::uint8_t c)
{
    std::string out = "'";
    if (c == '\'' || c == '\\') {
        out += '\\';
    }
    out += static_cast<char>(c);
    out += '\'';
    return out;
}

} // namespace

std::optional<std::size_t> encoded_size(std::size_t n) noexcept
{
    const std::size_t groups = n / 3 + (n % 3 != 0 ? 1 : 0);
    if (groups > kMaxBuffer / 4) {
        return std::nullopt;
    }
    return groups * 4;
}

void encode(const std::uint8_t *in, std::size_t n, std::uint8_t *out) noexcept
{
    const auto put = [&out](std::uint32_t sextet) { *out++ = static_cast<std::uint8_t>(kAlphabet[sextet & 0x3f]); };
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const std::uint32_t v = std::uint32_t{in[i]} << 16 | std::uint32_t{in[i + 1]} << 8 | in[i + 2];
        put(v >> 18);
        put(v >> 12);
        put(v >> 6);
        put(v);
    }
    if (n - i == 1) {
        const std::uint32_t v = std::uint32_t{in[i]} << 16;
        put(v >> 18);
        put(v >> 12);
        *out++ = '=';
        *out++ = '=';
    } else if (n - i == 2) {
        const std::uint32_t v = std::uint32_t{in[i]} << 16 | std::uint32_t{in[i + 1]} << 8;
        put(v >> 18);
        put(v >> 12);
        put(v >> 6);
        *out++ = '=';
    }
}

std::size_t decoded_size(const std::uint8_t *in, std::size_t n) noexcept
{
    std::size_t padding = 0;
    if (n >= 1 && in[n - 1] == '=') {
        padding = (n >= 2 && in[n - 2] == '=') ? 2 : 1;
    }
    return n / 4 * 3 - padding;
}

bool decode(const std::uint8_t *in, std::size_t n, std::uint8_t *out) noexcept
{
    if (n == 0) {
        return true;
    }
    const std::uint8_t *last = in + n - 4;
    for (; in < last; in += 4, out += 3) {
        const std::uint32_t a = kSextets[in[0]], b = kSextets[in[1]], c = kSextets[in[2]], d = kSextets[in[3]];
        if (((a | b | c | d) & kInvalid) != 0) {
            return false;
        }
        const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
        out[0] = static_cast<std::uint8_t>(v >> 16);
        out[1] = static_cast<std::uint8_t>(v >> 8);
        out[2] = static_cast<std::uint8_t>(v);
    }
    // The last quantum may carry padding; the bits it does not use must be zero.
    const std::uint32_t a = kSextets[last[0]], b = kSextets[last[1]];
    if (((a | b) & kInvalid) != 0) {
        return false;
    }
    if (last[3] != '=') {
        const std::uint32_t c = kSextets[last[2]], d = kSextets[last[3]];
        if (((c | d) & kInvalid) != 0) {
            return false;
        }
        const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
        out[0] = static_cast<std::uint8_t>(v >> 16);
        out[1] = static_cast<std::uint8_t>(v >> 8);
        out[2] = static_cast<std::uint8_t>(v);
    } else if (last[2] == '=') {
        if ((b & 0x0f) != 0) {
            return false;
        }
        out[0] = static_cast<std::uint8_t>(a << 2 | b >> 4);
    } else {
        const std::uint32_t c = kSextets[last[2]];
        if ((c & kInvalid) != 0 || (c & 0x03) != 0) {
            return false;
        }
        const std::uint32_t v = a << 18 | b << 12 | c << 6;
        out[0] = static_cast<std::uint8_t>(v >> 16);
        out[1] = static_cast<std::uint8_t>(v >> 8);
    }
    return true;
}

std::string describe_bad_length(std::size_t n)
{
    return "invalid base64 length " + std::to_string(n) +
           ": padded base64 is a multiple of 4 characters (the last quantum starting at offset " +
           std::to_string(n - n % 4) + " is incomplete)";
}

std::string describe_invalid(const std::uint8_t *in, std::size_t n)
{
    bool padded = false;
    std::size_t padding_at = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t c = in[i];
        const std::string at = " at offset " + std::to_string(i);
        if (in_alphabet(c)) {
            if (padded) {
                return "invalid base64: character " + quoted(c) + at + " follows the padding at offset " +
                       std::to_string(padding_at);
            }
        } else if (c == '=') {
            // '=' may only be the last character, or one of the last two together.
            const bool in_last_two = i + 2 >= n;
            const bool then_padding_or_end = i + 1 == n || in[i + 1] == '=';
            if (!in_last_two || !then_padding_or_end) {
                return "invalid base64: misplaced padding '='" + at +
                       " (padding may only end the input, as '=' or '==')";
            }
            if (!padded) {
                padded = true;
                padding_at = i;
            }
        } else if (is_whitespace(c)) {
            return "invalid base64: whitespace (byte " + hex_byte(c) + ")" + at +
                   "; strict decoding accepts no whitespace or line breaks";
        } else if (c >= 0x21 && c <= 0x7e) {
            return "invalid base64: character " + quoted(c) + at +
                   " is not in the standard alphabet (A-Z a-z 0-9 + /)";
        } else {
            return "invalid base64: byte " + hex_byte(c) + at + " is not in the standard alphabet (A-Z a-z 0-9 + /)";
        }
    }
    // Every character is in place, so the last one before the padding has bits set that
    // canonical base64 leaves at zero.
    if (padded) {
        const std::size_t pads = n - padding_at;
        const std::size_t last = pads == 2 ? n - 3 : n - 2;
        const std::uint8_t mask = pads == 2 ? 0x0f : 0x03;
        if (pads <= 2 && (kSextets[in[last]] & mask) != 0) {
            return "invalid base64: character " + quoted(in[last]) + " at offset " + std::to_string(last) +
                   " has non-zero trailing bits (not canonical base64)";
        }
    }
    return "invalid base64 input";
}

} // namespace b64
