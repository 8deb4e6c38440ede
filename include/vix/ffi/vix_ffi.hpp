/*
 * vix_ffi.hpp - implementing Vix FFI v1 functions in C++17 without breaking the contract.
 *
 * Header-only; include it in the .cpp files of the library (never in a header that C code
 * reads). It gives:
 *
 *   vix::ffi::sized(args, size, write)   the operation shape when the output size can be
 *                                        computed from the input before the work;
 *   vix::ffi::with_result(args, work)    the operation shape when it cannot;
 *   vix::ffi::version(out_status, "1.2") <pkg>_ffi_version;
 *   vix::ffi::guard(out_status, body)    any other function: exceptions become a status;
 *   vix::ffi::error, invalid_arg(), not_supported()
 *                                        what the library throws to pick the status code;
 *   vix::ffi::write_status()             a status with a run-time message.
 *
 * An operation written with sized() or with_result() keeps every rule of the operation
 * shape (see vix_ffi.h):
 *
 * - VIX_STATUS_INVALID_ARG when out_len is NULL, in_ptr is NULL with in_len > 0, out_ptr
 *   is NULL with out_cap > 0, a length exceeds PTRDIFF_MAX, or (sized) the input and
 *   output buffers overlap;
 * - *out_len is set to 0 first, to the result size on success, and to the size needed
 *   with VIX_STATUS_BUFFER_TOO_SMALL; sized() answers a small buffer before doing any
 *   work and never lets the body see more than the size it asked for;
 * - the status is written on every call when out_status is not NULL; the return value is
 *   the status code, so 0 exactly on success;
 * - every exception is caught: vix::ffi::error gives its own code, anything else
 *   VIX_STATUS_ERROR (std::bad_alloc as "out of memory: ...", another std::exception as
 *   "C++ exception: <what()>", anything else with a fixed message).
 *
 * Messages. The text of an exception dies with the exception, right after the catch, so
 * it is never handed out directly: it is copied into a buffer of the calling thread
 * (1024 bytes; longer text is cut at a UTF-8 boundary and ends with "..."), where it stays
 * valid until the next call that stores a message on the same thread. The copy allocates
 * nothing, so it works while handling std::bad_alloc. A NUL follows the text, which
 * vix_str.len does not count. Each shared library built with hidden visibility (the
 * default of vix_ffi_add_library) has its own buffer per thread.
 *
 * Example, an operation that upper-cases ASCII:
 *
 *   extern "C" VIX_FFI_API int VIX_FFI_CALL mylib_upper(
 *       const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr, size_t out_cap,
 *       size_t *out_len, vix_status *out_status) noexcept
 *   {
 *       return vix::ffi::sized(
 *           {in_ptr, in_len, out_ptr, out_cap, out_len, out_status},
 *           [](vix::ffi::byte_view in) { return in.size(); },   // size, known first
 *           [](vix::ffi::byte_view in, vix::ffi::byte_span out) {
 *               for (std::size_t i = 0; i < in.size(); ++i)
 *                   out[i] = static_cast<uint8_t>(std::toupper(in[i]));
 *               return in.size();                                // bytes written
 *           });
 *   }
 */
#ifndef VIX_FFI_HPP
#define VIX_FFI_HPP

#ifndef __cplusplus
#error "vix_ffi.hpp is C++; C code includes vix_ffi.h"
#endif
#if defined(_MSVC_LANG)
#if _MSVC_LANG < 201703L
#error "vix_ffi.hpp needs C++17 (/std:c++17 or later)"
#endif
#elif __cplusplus < 201703L
#error "vix_ffi.hpp needs C++17 (-std=c++17 or later)"
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "vix_ffi.h"

namespace vix::ffi {

/* ---- what a library throws ------------------------------------------------------- */

/*
 * An error with a status code, for failures the caller should be able to tell apart
 * (VIX_STATUS_INVALID_ARG for bad input, VIX_STATUS_NOT_SUPPORTED, ...). Its message
 * becomes the status message. Thrown with VIX_STATUS_OK, it is reported as
 * VIX_STATUS_ERROR: a failure never looks like a success.
 */
class error : public std::runtime_error {
public:
    error(vix_status_code code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    error(vix_status_code code, const char *message)
        : std::runtime_error(message != nullptr ? message : ""), code_(code) {}

    vix_status_code code() const noexcept { return code_; }

private:
    vix_status_code code_;
};

/* VIX_STATUS_INVALID_ARG: the input is malformed or an argument is out of range. */
inline error invalid_arg(const std::string &message) { return error(VIX_STATUS_INVALID_ARG, message); }

/* VIX_STATUS_NOT_SUPPORTED: this library or build cannot do what was asked. */
inline error not_supported(const std::string &message) { return error(VIX_STATUS_NOT_SUPPORTED, message); }

/* ---- views of the caller's buffers ----------------------------------------------- */

/* The input bytes of an operation, read-only; data() may be NULL when size() is 0. */
class byte_view {
public:
    constexpr byte_view() noexcept = default;
    constexpr byte_view(const std::uint8_t *data, std::size_t size) noexcept : data_(data), size_(size) {}

    constexpr const std::uint8_t *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr const std::uint8_t *begin() const noexcept { return data_; }
    constexpr const std::uint8_t *end() const noexcept { return data_ + size_; }
    constexpr std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }

    /* The same bytes as characters, for text inputs. */
    std::string_view chars() const noexcept
    {
        return size_ == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char *>(data_), size_);
    }

private:
    const std::uint8_t *data_ = nullptr;
    std::size_t size_ = 0;
};

/* Writable output bytes: exactly the size the operation asked for, inside out_cap. */
class byte_span {
public:
    constexpr byte_span() noexcept = default;
    constexpr byte_span(std::uint8_t *data, std::size_t size) noexcept : data_(data), size_(size) {}

    constexpr std::uint8_t *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr std::uint8_t *begin() const noexcept { return data_; }
    constexpr std::uint8_t *end() const noexcept { return data_ + size_; }
    constexpr std::uint8_t &operator[](std::size_t i) const noexcept { return data_[i]; }

private:
    std::uint8_t *data_ = nullptr;
    std::size_t size_ = 0;
};

/* The six arguments of the operation shape, in their C order. */
struct op_args {
    const std::uint8_t *in_ptr;
    std::size_t in_len;
    std::uint8_t *out_ptr;
    std::size_t out_cap;
    std::size_t *out_len;
    vix_status *out_status;
};

/* ---- messages and statuses ------------------------------------------------------- */

/* How many bytes of message text the per-thread buffer holds (a NUL follows them). */
inline constexpr std::size_t message_capacity = 1024;

namespace detail {

struct message_slot {
    char text[message_capacity + 1];
};

/* Trivially destructible and constant-initialised: no TLS destructor, no init guard. */
inline char *thread_message_buffer() noexcept
{
    thread_local message_slot slot{};
    return slot.text;
}

/* Builds a message in this thread's buffer, piece by piece, without allocating. */
class message_writer {
public:
    message_writer() noexcept : buf_(thread_message_buffer()) {}

    message_writer &text(std::string_view s) noexcept
    {
        const std::size_t room = message_capacity - len_;
        const std::size_t n = s.size() < room ? s.size() : room;
        if (n > 0) {
            std::memmove(buf_ + len_, s.data(), n); /* s may already live in the buffer */
        }
        len_ += n;
        truncated_ = truncated_ || n < s.size();
        return *this;
    }

    message_writer &c_str(const char *s) noexcept { return text(s != nullptr ? std::string_view(s) : std::string_view()); }

    message_writer &number(std::size_t value) noexcept
    {
        char digits[24];
        std::size_t start = sizeof digits;
        do {
            digits[--start] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        return text(std::string_view(digits + start, sizeof digits - start));
    }

    vix_str finish() noexcept
    {
        if (truncated_) {
            constexpr std::string_view mark = "...";
            std::size_t keep = message_capacity - mark.size();
            /* Never cut a UTF-8 sequence in two: drop the lead byte too. */
            while (keep > 0 && (static_cast<unsigned char>(buf_[keep]) & 0xC0u) == 0x80u) {
                --keep;
            }
            std::memcpy(buf_ + keep, mark.data(), mark.size());
            len_ = keep + mark.size();
        }
        buf_[len_] = '\0';
        vix_str out;
        out.ptr = buf_;
        out.len = len_;
        return out;
    }

private:
    char *buf_;
    std::size_t len_ = 0;
    bool truncated_ = false;
};

inline vix_status make_status(vix_status_code code, vix_str message) noexcept
{
    vix_status st;
    st.code = static_cast<std::int32_t>(code);
    st.message = message;
    return st;
}

inline vix_str static_str(std::string_view s) noexcept
{
    vix_str out;
    out.ptr = s.data();
    out.len = s.size();
    return out;
}

/*
 * The status for the exception being handled. Call only inside a catch block. The
 * message is copied out of the exception, which is destroyed when the catch ends.
 */
inline vix_status status_from_current_exception() noexcept
{
    try {
        throw;
    } catch (const error &e) {
        const vix_status_code code = e.code() == VIX_STATUS_OK ? VIX_STATUS_ERROR : e.code();
        return make_status(code, message_writer().c_str(e.what()).finish());
    } catch (const std::bad_alloc &e) {
        return make_status(VIX_STATUS_ERROR, message_writer().text("out of memory: ").c_str(e.what()).finish());
    } catch (const std::exception &e) {
        return make_status(VIX_STATUS_ERROR, message_writer().text("C++ exception: ").c_str(e.what()).finish());
    } catch (...) {
        return make_status(VIX_STATUS_ERROR, static_str("unknown C++ exception (not derived from std::exception)"));
    }
}

inline void publish(vix_status *out_status, const vix_status &st) noexcept
{
    if (out_status != nullptr) {
        *out_status = st;
    }
}

inline constexpr std::size_t max_buffer = static_cast<std::size_t>(PTRDIFF_MAX);

inline bool overlaps(const void *a, std::size_t a_len, const void *b, std::size_t b_len) noexcept
{
    if (a_len == 0 || b_len == 0) {
        return false;
    }
    const std::uintptr_t x = reinterpret_cast<std::uintptr_t>(a);
    const std::uintptr_t y = reinterpret_cast<std::uintptr_t>(b);
    const std::uintptr_t top = UINTPTR_MAX;
    const std::uintptr_t x_end = top - x < a_len ? top : x + a_len; /* saturating */
    const std::uintptr_t y_end = top - y < b_len ? top : y + b_len;
    return x < y_end && y < x_end;
}

/*
 * The argument checks shared by sized() and with_result(), then body(input), which
 * returns the status and sets *out_len itself. Exceptions from body become a status.
 */
template <class Body>
int run_op(const op_args &a, Body &&body) noexcept
{
    vix_status st = vix_status_ok();
    if (a.out_len == nullptr) {
        st = make_status(VIX_STATUS_INVALID_ARG, static_str("out_len is NULL"));
    } else {
        *a.out_len = 0;
        if (a.out_ptr == nullptr && a.out_cap > 0) {
            st = make_status(VIX_STATUS_INVALID_ARG,
                             message_writer().text("out_ptr is NULL but out_cap is ").number(a.out_cap).finish());
        } else if (a.out_cap > max_buffer) {
            st = make_status(VIX_STATUS_INVALID_ARG, message_writer()
                                                         .text("out_cap ")
                                                         .number(a.out_cap)
                                                         .text(" exceeds the largest possible buffer")
                                                         .finish());
        } else if (a.in_ptr == nullptr && a.in_len > 0) {
            st = make_status(VIX_STATUS_INVALID_ARG,
                             message_writer().text("in_ptr is NULL but in_len is ").number(a.in_len).finish());
        } else if (a.in_len > max_buffer) {
            st = make_status(VIX_STATUS_INVALID_ARG, message_writer()
                                                         .text("in_len ")
                                                         .number(a.in_len)
                                                         .text(" exceeds the largest possible buffer")
                                                         .finish());
        } else {
            try {
                st = body(byte_view(a.in_len > 0 ? a.in_ptr : nullptr, a.in_len));
            } catch (...) {
                st = status_from_current_exception();
            }
        }
    }
    publish(a.out_status, st);
    return st.code;
}

inline vix_status too_small(const op_args &a, std::size_t need) noexcept
{
    *a.out_len = need;
    return make_status(VIX_STATUS_BUFFER_TOO_SMALL, message_writer()
                                                        .text("output buffer too small: ")
                                                        .number(need)
                                                        .text(" bytes needed, out_cap is ")
                                                        .number(a.out_cap)
                                                        .finish());
}

} // namespace detail

/*
 * Copies text into this thread's message buffer and returns a view of the copy, valid
 * until the next message is stored on this thread (by any function of this header).
 */
inline vix_str thread_message(std::string_view text) noexcept
{
    return detail::message_writer().text(text).finish();
}

/* Writes {code, copy of message} to *out_status when it is not NULL. */
inline void write_status(vix_status *out_status, vix_status_code code, std::string_view message) noexcept
{
    if (out_status != nullptr) {
        *out_status = detail::make_status(code, message.empty() ? vix_status_ok().message : thread_message(message));
    }
}

/* ---- the entry points ------------------------------------------------------------ */

/*
 * The operation shape when the output size is known from the input alone.
 *
 *   size(byte_view in) -> std::size_t          the exact (or largest) output size;
 *   write(byte_view in, byte_span out)         fills out, which has exactly that size,
 *       -> std::size_t or void                 and returns the bytes written (void:
 *                                              all of them).
 *
 * A capacity below size() is answered with VIX_STATUS_BUFFER_TOO_SMALL before write()
 * runs. Either function may throw; see the top of this file for what the caller gets.
 */
template <class SizeFn, class WriteFn>
int sized(const op_args &args, SizeFn &&size, WriteFn &&write) noexcept
{
    return detail::run_op(args, [&](byte_view in) -> vix_status {
        const std::size_t need = static_cast<std::size_t>(size(in));
        if (need > args.out_cap) {
            return detail::too_small(args, need);
        }
        if (detail::overlaps(in.data(), in.size(), args.out_ptr, need)) {
            return detail::make_status(VIX_STATUS_INVALID_ARG,
                                       detail::static_str("input and output buffers overlap; pass separate buffers"));
        }
        const byte_span out(need > 0 ? args.out_ptr : nullptr, need);
        std::size_t written = need;
        if constexpr (std::is_void_v<decltype(write(in, out))>) {
            write(in, out);
        } else {
            written = static_cast<std::size_t>(write(in, out));
        }
        if (written > need) {
            return detail::make_status(VIX_STATUS_ERROR, detail::message_writer()
                                                             .text("internal error: operation reported ")
                                                             .number(written)
                                                             .text(" bytes written into a buffer of ")
                                                             .number(need)
                                                             .finish());
        }
        *args.out_len = written;
        return vix_status_ok();
    });
}

/*
 * The operation shape when the output size is only known after the work:
 *
 *   work(byte_view in) -> a contiguous container of bytes or chars (std::vector<uint8_t>,
 *                         std::string, ...)
 *
 * The result is copied to out_ptr when it fits; otherwise the call fails with
 * VIX_STATUS_BUFFER_TOO_SMALL and its size, and the caller's retry repeats the work.
 * Prefer sized() whenever the size can be computed first.
 */
template <class WorkFn>
int with_result(const op_args &args, WorkFn &&work) noexcept
{
    return detail::run_op(args, [&](byte_view in) -> vix_status {
        const auto result = work(in);
        static_assert(sizeof(*result.data()) == 1, "with_result: work() must return a container of bytes or chars");
        const std::size_t n = static_cast<std::size_t>(result.size());
        if (n > args.out_cap) {
            return detail::too_small(args, n);
        }
        if (n > 0) {
            std::memmove(args.out_ptr, result.data(), n); /* the input may alias the output */
        }
        *args.out_len = n;
        return vix_status_ok();
    });
}

/*
 * <pkg>_ffi_version: an OK status and the given string literal (static storage, not
 * NUL-terminated for the caller, never freed).
 */
template <std::size_t N>
vix_str version(vix_status *out_status, const char (&text)[N]) noexcept
{
    static_assert(N >= 1, "version() takes a string literal");
    detail::publish(out_status, vix_status_ok());
    return detail::static_str(std::string_view(text, N - 1));
}

/*
 * Runs body() for a function of any other shape. Returns the status code (0 on success)
 * and writes the status when out_status is not NULL; an exception becomes a status as
 * described at the top of this file. body() returns nothing: it stores its results
 * through captured references.
 */
template <class Body>
int guard(vix_status *out_status, Body &&body) noexcept
{
    vix_status st = vix_status_ok();
    try {
        std::forward<Body>(body)();
    } catch (...) {
        st = detail::status_from_current_exception();
    }
    detail::publish(out_status, st);
    return st.code;
}

} // namespace vix::ffi

#endif /* VIX_FFI_HPP */
