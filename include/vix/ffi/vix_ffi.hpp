/**
 * @file vix_ffi.hpp
 * @brief Implementing Vix FFI functions in C++17 without breaking the contract.
 *
 * Header-only; include it in the .cpp files of the library (never in a header that C code
 * reads). It gives:
 *
 * The operation shape of ABI v1.0 (one bytes input, one bytes output):
 *
 *   vix::ffi::sized(args, size, write)   when the output size can be computed from the
 *                                        input before the work;
 *   vix::ffi::with_result(args, work)    when it cannot;
 *   vix::ffi::guard(out_status, body)    any other function: exceptions become a status;
 *
 * Typed functions of ABI v1.1 (any number of inputs, at most one output):
 *
 *   vix::ffi::value_result(out_value, out_status, body, inputs...)   a scalar result;
 *   vix::ffi::no_result(out_status, body, inputs...)                 no result;
 *   vix::ffi::sized_result(out, out_status, size, write, inputs...)  bytes or text, size
 *                                                                    known first;
 *   vix::ffi::bytes_result(out, out_status, work, inputs...)         bytes or text, size
 *                                                                    known after the work;
 *   vix::ffi::input{ptr, len, "name"}    one <name>_ptr, <name>_len pair of the C signature;
 *   vix::ffi::bytes_out{ptr, cap, len}   the out_ptr, out_cap, out_len triple;
 *
 * Objects of ABI v1.1 (opaque handles), a C++ class behind a C handle type:
 *
 *   VIX_FFI_OBJECT(pkg_thing, T)         completes `struct pkg_thing` as the holder of a T
 *                                        (it derives from vix::ffi::object<T>);
 *   vix::ffi::make_object(out_handle, out_status, make, inputs...)
 *                                        pkg_thing_new, or any result that is a new object;
 *   vix::ffi::value_method, no_result_method, sized_method, bytes_method, object_method
 *                                        methods: `self` first (NULL: INVALID_ARG), then
 *                                        what the typed helper of the same result takes;
 *   vix::ffi::free_object(self)          pkg_thing_free (NULL: nothing; never throws);
 *   vix::ffi::object_input{handle, "name"}
 *                                        an object parameter, among the inputs;
 *   vix::ffi::optional_input, optional_object_input
 *                                        an input the manifest marks "optional" (None);
 *
 * And for all:
 *
 *   vix::ffi::version(out_status, "1.2") <pkg>_ffi_version;
 *   vix::ffi::error, invalid_arg(), not_supported()
 *                                        what the library throws to pick an ABI status code;
 *   vix::ffi::library_code, library_error, library_code_v<N>
 *                                        the library's own status codes (1000 and above);
 *   vix::ffi::write_status(), fail()     a status with a run-time message.
 *
 * Every entry point is noexcept: nothing unwinds into the caller. How an exception becomes
 * a status depends on the family of the entry point:
 *
 * - v1.0 helpers (sized, with_result, guard), as the v1.0 contract says: vix::ffi::error
 *   and vix::ffi::library_error give their own code, anything else VIX_STATUS_ERROR
 *   (std::bad_alloc as "out of memory: ...", another std::exception as
 *   "C++ exception: <what()>", anything else with a fixed message);
 * - typed and object helpers (value_result, no_result, sized_result, bytes_result,
 *   make_object and the *_method helpers), the way users of
 *   pybind11 expect, see status_for_exception() below: std::invalid_argument and
 *   std::domain_error give VIX_STATUS_INVALID_ARG (a ValueError in Python), std::bad_alloc
 *   gives the library code VIX_FFI_BAD_ALLOC_CODE (a MemoryError in Python once the
 *   manifest names it with base "MemoryError"), any other exception VIX_STATUS_ERROR;
 *   the message starts with the exception's type ("std::invalid_argument: stoi").
 *
 * Messages. The text of an exception dies with the exception, right after the catch, so
 * it is never handed out directly: it is copied into a buffer of the calling thread
 * (1024 bytes; longer text is cut at a UTF-8 boundary and ends with "..."), where it stays
 * valid until the next call that stores a message on the same thread. The copy allocates
 * nothing, so it works while handling std::bad_alloc (the typed mapping names standard
 * exceptions without allocating too; only the name of a library's own exception class is
 * demangled, which allocates, and falls back to the raw name). A NUL follows the text, which
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
 *
 * Example, a typed function `uint32_t mylib_sum(data, seed) -> uint32`:
 *
 *   extern "C" VIX_FFI_API int VIX_FFI_CALL mylib_sum(
 *       const uint8_t *data_ptr, size_t data_len, uint32_t seed,
 *       uint32_t *out_value, vix_status *out_status) noexcept
 *   {
 *       return vix::ffi::value_result(out_value, out_status,
 *           [seed](vix::ffi::byte_view data) {
 *               uint32_t sum = seed;
 *               for (uint8_t b : data) sum += b;
 *               return sum;                                      // must fit uint32_t
 *           },
 *           vix::ffi::input{data_ptr, data_len, "data"});
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
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#if defined(__cpp_rtti) || defined(__GXX_RTTI) || defined(_CPPRTTI)
#define VIX_FFI_HPP_RTTI 1
#else
#define VIX_FFI_HPP_RTTI 0
#endif
#if VIX_FFI_HPP_RTTI && defined(__has_include)
#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#define VIX_FFI_HPP_DEMANGLE 1
#endif
#endif
#ifndef VIX_FFI_HPP_DEMANGLE
#define VIX_FFI_HPP_DEMANGLE 0
#endif

#include "vix_ffi.h"

/**
 * @def VIX_FFI_BAD_ALLOC_CODE
 * @brief The status code a typed helper reports for std::bad_alloc: 1999 unless defined
 * before this header is included.
 *
 * ABI v1.1 gives no status code to "out of memory", and codes 5 to 999 are reserved for
 * later ABI versions, so the header reports std::bad_alloc with a code of the library's
 * own range, which the manifest names with the standard base class MemoryError:
 *
 *   "errors": [{"code": 1999, "name": "OutOfMemoryError", "base": "MemoryError"}]
 *
 * Python then raises OutOfMemoryError, a subclass of both the package's VixError and
 * MemoryError. Without that entry Python still raises a VixError keeping the code 1999.
 *
 * 1999 is the last code of the first thousand library codes: a library that numbers its
 * own errors from 1000 upwards stays clear of it, and every library built with this
 * header uses the same number unless it chooses another. To choose another, define the
 * macro to a code from 1000 to INT32_MAX for the whole library (with CMake:
 * `target_compile_definitions(mylib PRIVATE VIX_FFI_BAD_ALLOC_CODE=1500)`), the same in
 * every translation unit; or define it to 1 (VIX_STATUS_ERROR) to report std::bad_alloc as
 * a generic error. Any other value is refused at compile time.
 *
 * The v1.0 helpers (sized, with_result, guard) do not use it: the v1.0 contract reports
 * every exception of the operation shape as VIX_STATUS_ERROR.
 */
#ifndef VIX_FFI_BAD_ALLOC_CODE
#define VIX_FFI_BAD_ALLOC_CODE 1999
#endif

namespace vix::ffi {

/* ---- status codes ----------------------------------------------------------------- */

/** @brief The first status code a library may give a meaning of its own (ABI v1.1). */
inline constexpr std::int32_t first_library_code = 1000;

/** @brief VIX_FFI_BAD_ALLOC_CODE as a constant (see the macro). */
inline constexpr std::int32_t bad_alloc_code = VIX_FFI_BAD_ALLOC_CODE;

static_assert(bad_alloc_code == VIX_STATUS_ERROR || bad_alloc_code >= first_library_code,
              "VIX_FFI_BAD_ALLOC_CODE must be a library code (1000 or above) or 1 (VIX_STATUS_ERROR); "
              "2 to 999 belong to the ABI");

namespace detail {

/*
 * Deliberately not constexpr: when a library_code below 1000 is built in a constant
 * expression, the call to this function is what makes the compiler refuse it, and its
 * name is what the compiler's message shows.
 */
inline std::int32_t library_codes_start_at_1000(std::int32_t code) noexcept { return code; }

} // namespace detail

/**
 * @brief A status code of the library's own: 1000 or above.
 *
 * Declare the codes as constants, so that a code below 1000 is refused at compile time:
 *
 *   constexpr vix::ffi::library_code too_long{1001};   // fine
 *   constexpr vix::ffi::library_code oops{7};          // compile error
 *
 * A library_code built at run time from a value below 1000 is not refused there; an error
 * thrown or reported with it becomes VIX_STATUS_ERROR with a message saying so, since
 * codes below 1000 belong to the ABI (and 5 to 999 to its later versions).
 */
class library_code {
public:
    /** @param code the code; 1000 or above (compile error when constant and lower). */
    constexpr explicit library_code(std::int32_t code) noexcept
        : value_(code >= first_library_code ? code : detail::library_codes_start_at_1000(code))
    {
    }

    /** @return the code as given. */
    constexpr std::int32_t value() const noexcept { return value_; }

    /** @return whether the code is in the library's range (1000 and above). */
    constexpr bool valid() const noexcept { return value_ >= first_library_code; }

private:
    std::int32_t value_;
};

namespace detail {

template <std::int32_t Code>
struct checked_library_code {
    static_assert(Code >= first_library_code,
                  "a library's own status codes start at 1000: 0 to 4 are the ABI's, 5 to 999 and "
                  "negative codes are reserved for later ABI versions");
    static constexpr library_code value{Code};
};

} // namespace detail

/**
 * @brief library_code_v<1001>: a library_code whose value is checked by a static_assert
 * with a readable message.
 */
template <std::int32_t Code>
inline constexpr library_code library_code_v = detail::checked_library_code<Code>::value;

/* ---- what a library throws ------------------------------------------------------- */

/**
 * @brief An error with a status code of the ABI, for failures the caller should be able
 * to tell apart (VIX_STATUS_INVALID_ARG for bad input, VIX_STATUS_NOT_SUPPORTED, ...).
 *
 * Its message becomes the status message, as it is (no type name is added). Thrown with
 * VIX_STATUS_OK, it is reported as VIX_STATUS_ERROR: a failure never looks like a success.
 */
class error : public std::runtime_error {
public:
    error(vix_status_code code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    error(vix_status_code code, const char *message)
        : std::runtime_error(message != nullptr ? message : ""), code_(code) {}

    /** @return the status code given to the constructor. */
    vix_status_code code() const noexcept { return code_; }

private:
    vix_status_code code_;
};

/** @brief VIX_STATUS_INVALID_ARG: the input is malformed or an argument is out of range. */
inline error invalid_arg(const std::string &message) { return error(VIX_STATUS_INVALID_ARG, message); }

/** @brief VIX_STATUS_NOT_SUPPORTED: this library or build cannot do what was asked. */
inline error not_supported(const std::string &message) { return error(VIX_STATUS_NOT_SUPPORTED, message); }

/**
 * @brief An error with a status code of the library's own (1000 and above), which Python
 * raises as the exception class the manifest names for that code.
 *
 *   constexpr vix::ffi::library_code too_long{1001};
 *   ...
 *   throw vix::ffi::library_error(too_long, "the result would exceed 1 MiB");
 *
 * Its message becomes the status message, as it is. Caught by every entry point of this
 * header, v1.0 ones included. A code below 1000 (only possible with a library_code built
 * at run time) is reported as VIX_STATUS_ERROR with a message that says so.
 */
class library_error : public std::runtime_error {
public:
    library_error(library_code code, const std::string &message) : std::runtime_error(message), code_(code) {}
    library_error(library_code code, const char *message)
        : std::runtime_error(message != nullptr ? message : ""), code_(code) {}

    /** @return the code given to the constructor. */
    library_code code() const noexcept { return code_; }

private:
    library_code code_;
};

/* ---- views of the caller's buffers ----------------------------------------------- */

/**
 * @brief A read-only view of input bytes: what the body of every helper receives for each
 * bytes or text input.
 *
 * It never owns the bytes: they belong to the caller and stay valid until the exported
 * function returns, so do not keep a byte_view (or a pointer into it) after that. data()
 * is NULL exactly when size() is 0, so an empty input never hands out the caller's
 * pointer. Text inputs are UTF-8, not NUL-terminated: read them with chars(), never as a
 * C string.
 */
class byte_view {
public:
    /** @brief An empty view (NULL, 0). */
    constexpr byte_view() noexcept = default;
    /** @brief A view of size bytes at data (data may be NULL only when size is 0). */
    constexpr byte_view(const std::uint8_t *data, std::size_t size) noexcept : data_(data), size_(size) {}

    /** @return the first byte, or NULL when the view is empty. */
    constexpr const std::uint8_t *data() const noexcept { return data_; }
    /** @return the number of bytes. */
    constexpr std::size_t size() const noexcept { return size_; }
    /** @return whether size() is 0. */
    constexpr bool empty() const noexcept { return size_ == 0; }
    /** @brief Iteration over the bytes (`for (uint8_t b : view)`). */
    constexpr const std::uint8_t *begin() const noexcept { return data_; }
    /** @brief The end of the bytes. */
    constexpr const std::uint8_t *end() const noexcept { return data_ + size_; }
    /** @brief The byte at i; unchecked, i must be below size(). */
    constexpr std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }

    /** @return the same bytes as characters, for text inputs (no copy). */
    std::string_view chars() const noexcept
    {
        return size_ == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char *>(data_), size_);
    }

private:
    const std::uint8_t *data_ = nullptr;
    std::size_t size_ = 0;
};

/**
 * @brief Writable output bytes: the part of the caller's buffer that the size callback of
 * sized() or sized_result() asked for, always inside out_cap.
 *
 * Its bytes hold whatever the caller left there: write every byte that you report as
 * written. data() is NULL when size() is 0.
 */
class byte_span {
public:
    /** @brief An empty span (NULL, 0). */
    constexpr byte_span() noexcept = default;
    /** @brief A span of size writable bytes at data. */
    constexpr byte_span(std::uint8_t *data, std::size_t size) noexcept : data_(data), size_(size) {}

    /** @return the first byte, or NULL when the span is empty. */
    constexpr std::uint8_t *data() const noexcept { return data_; }
    /** @return the number of bytes the body may write. */
    constexpr std::size_t size() const noexcept { return size_; }
    /** @return whether size() is 0. */
    constexpr bool empty() const noexcept { return size_ == 0; }
    /** @brief Iteration over the bytes. */
    constexpr std::uint8_t *begin() const noexcept { return data_; }
    /** @brief The end of the bytes. */
    constexpr std::uint8_t *end() const noexcept { return data_ + size_; }
    /** @brief The byte at i; unchecked, i must be below size(). */
    constexpr std::uint8_t &operator[](std::size_t i) const noexcept { return data_[i]; }

private:
    std::uint8_t *data_ = nullptr;
    std::size_t size_ = 0;
};

/** @brief The six arguments of the v1.0 operation shape, in their C order. */
struct op_args {
    const std::uint8_t *in_ptr; /**< input bytes; NULL only when in_len is 0 */
    std::size_t in_len;         /**< input size in bytes */
    std::uint8_t *out_ptr;      /**< output buffer; NULL only when out_cap is 0 */
    std::size_t out_cap;        /**< output buffer size in bytes */
    std::size_t *out_len;       /**< receives the output size, or the size needed */
    vix_status *out_status;     /**< receives the status; may be NULL */
};

/**
 * @brief One bytes or text input of a typed function: its `<name>_ptr, <name>_len` pair
 * and the name, for messages ("data_ptr is NULL but data_len is 3").
 *
 * The typed helpers check every input before the body runs (VIX_STATUS_INVALID_ARG for a
 * NULL pointer with a non-zero length, or a length above PTRDIFF_MAX) and hand the body
 * one byte_view per input, in the order given.
 */
struct input {
    const std::uint8_t *ptr; /**< the <name>_ptr argument */
    std::size_t len;         /**< the <name>_len argument */
    const char *name;        /**< the parameter name, a string literal; NULL: "input" */
};

/** @brief The bytes or text output of a typed function: out_ptr, out_cap, out_len. */
struct bytes_out {
    std::uint8_t *ptr; /**< out_ptr: NULL only when cap is 0 (a size query) */
    std::size_t cap;   /**< out_cap */
    std::size_t *len;  /**< out_len: must not be NULL */
};

/* ---- objects (ABI v1.1 opaque handles) --------------------------------------------- */

/**
 * @brief The storage of a C handle: derive the library's handle struct from it, so that
 * the struct the C declaration names holds the C++ object itself.
 *
 * ABI v1.1 declares a class as `typedef struct pkg_thing pkg_thing;` and never looks
 * inside. In C++ the library completes that struct, at global scope, with the macro
 * VIX_FFI_OBJECT(pkg_thing, mylib::thing) or by hand:
 *
 *   struct pkg_thing final : vix::ffi::object<mylib::thing> {
 *       using vix::ffi::object<mylib::thing>::object;
 *   };
 *
 * A `pkg_thing *` is then a pointer to an object of exactly that type, and every helper
 * reaches the C++ object through a member, never through a cast: there is no
 * reinterpret_cast between the handle and the object, and no object is ever used through
 * a pointer of another type. make_object() and object_method() create the struct with
 * `new`, free_object() deletes it.
 *
 * The C++ object is built in place from what a factory returns (C++17's guaranteed copy
 * elision), so a class that can be neither copied nor moved (one with a std::mutex or a
 * std::atomic member) is fine. Handles are neither copyable nor movable: the caller owns
 * the pointer, not the struct.
 *
 * @tparam T the C++ class; any complete object type that is not an array or a reference.
 */
template <class T>
class object {
public:
    static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T>,
                  "vix::ffi::object<T>: T must be a non-const class or scalar type");

    /** @brief The C++ class the handle holds. */
    using value_type = T;

    /**
     * @brief Builds the object from make(), with no copy or move of T.
     * @param make `make() -> T` (or a type T can be built from).
     */
    template <class Make, std::enable_if_t<std::is_invocable_v<Make &>, int> = 0>
    explicit object(Make &&make) : value_(make())
    {
    }

    object(const object &) = delete;
    object &operator=(const object &) = delete;

    /** @return the C++ object. */
    T &get() noexcept { return value_; }
    /** @return the C++ object. */
    const T &get() const noexcept { return value_; }

protected:
    ~object() = default;

private:
    T value_;
};

namespace detail {

template <class Handle, class = void>
struct is_handle : std::false_type {};

template <class Handle>
struct is_handle<Handle, std::void_t<typename Handle::value_type>>
    : std::is_base_of<object<typename Handle::value_type>, Handle> {};

} // namespace detail

/** @brief Whether Handle is a handle struct: derived from vix::ffi::object<T>. */
template <class Handle>
inline constexpr bool is_handle_v = detail::is_handle<Handle>::value;

/**
 * @brief One object input of a function or method, `pkg_thing *<name>` (borrowed for the
 * call), with its name for messages ("other is NULL").
 *
 * Passed among the vix::ffi::input of any typed helper, in the order of the C parameters:
 * the helpers refuse a NULL handle with VIX_STATUS_INVALID_ARG before the body runs and
 * hand the body a reference to the C++ object (`mylib::thing &`) at that place. It may be
 * the same object as a method's self.
 */
template <class Handle>
struct object_input {
    static_assert(is_handle_v<Handle>, "object_input: the handle struct must derive from vix::ffi::object<T>");
    Handle *handle;   /**< the <name> argument */
    const char *name; /**< the parameter name, a string literal; NULL: "object" */
};

/** @brief `vix::ffi::object_input{other, "other"}` deduces the handle type. */
template <class Handle>
object_input(Handle *, const char *) -> object_input<Handle>;

/**
 * @brief An optional object input (`"optional": true` in the manifest): Python's None
 * arrives as a NULL handle, which the body receives as a NULL `T *`; any other handle as
 * a pointer to its C++ object.
 */
template <class Handle>
struct optional_object_input {
    static_assert(is_handle_v<Handle>,
                  "optional_object_input: the handle struct must derive from vix::ffi::object<T>");
    Handle *handle;   /**< the <name> argument; NULL: None */
    const char *name; /**< the parameter name, a string literal */
};

/** @brief `vix::ffi::optional_object_input{other, "other"}` deduces the handle type. */
template <class Handle>
optional_object_input(Handle *, const char *) -> optional_object_input<Handle>;

/**
 * @brief An optional bytes or text input (`"optional": true` in the manifest), where
 * Python's None arrives as a NULL pointer with a length of 0 and an empty value as a
 * non-NULL pointer: the body receives `std::optional<byte_view>`, std::nullopt for None.
 * The checks are those of vix::ffi::input (a NULL pointer with a length is INVALID_ARG).
 */
struct optional_input {
    const std::uint8_t *ptr; /**< the <name>_ptr argument; NULL with len 0: None */
    std::size_t len;         /**< the <name>_len argument */
    const char *name;        /**< the parameter name, a string literal; NULL: "input" */
};

/* ---- messages and statuses ------------------------------------------------------- */

/** @brief How many bytes of message text the per-thread buffer holds (a NUL follows). */
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

    message_writer &signed_number(std::int64_t value) noexcept
    {
        if (value < 0) {
            text("-");
            /* -(value + 1) + 1 never overflows, even for INT64_MIN. */
            return number(static_cast<std::size_t>(-(value + 1)) + 1u);
        }
        return number(static_cast<std::size_t>(value));
    }

    /* The text written so far (it lives in this thread's buffer). */
    std::string_view current() const noexcept { return std::string_view(buf_, len_); }

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

inline vix_status make_status_code(std::int32_t code, vix_str message) noexcept
{
    vix_status st;
    st.code = code;
    st.message = message;
    return st;
}

inline vix_status make_status(vix_status_code code, vix_str message) noexcept
{
    return make_status_code(static_cast<std::int32_t>(code), message);
}

inline vix_str static_str(std::string_view s) noexcept
{
    vix_str out;
    out.ptr = s.data();
    out.len = s.size();
    return out;
}

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

inline constexpr std::string_view unknown_exception_message = "unknown C++ exception (not derived from std::exception)";

/* The status of a library_error (or of a library_code reported by fail()). */
inline vix_status library_status(library_code code, std::string_view message) noexcept
{
    if (code.valid()) {
        return make_status_code(code.value(), message_writer().text(message).finish());
    }
    /* The text below goes first: a message that lives in the buffer moves out of its way. */
    char moved[message_capacity];
    if (overlaps(message.data(), message.size(), thread_message_buffer(), message_capacity + 1)) {
        const std::size_t n = message.size() < sizeof moved ? message.size() : sizeof moved;
        std::memmove(moved, message.data(), n);
        message = std::string_view(moved, n);
    }
    return make_status(VIX_STATUS_ERROR, message_writer()
                                             .text("library status code ")
                                             .signed_number(code.value())
                                             .text(" is not one of the library's own (they start at 1000; 0 to 999 "
                                                   "belong to the ABI): ")
                                             .text(message)
                                             .finish());
}

/* The names of the standard exceptions, without allocating (and without RTTI). */
template <class E>
constexpr std::string_view std_name() noexcept
{
    if constexpr (std::is_same_v<E, std::bad_array_new_length>) {
        return "std::bad_array_new_length";
    } else if constexpr (std::is_same_v<E, std::bad_alloc>) {
        return "std::bad_alloc";
    } else if constexpr (std::is_same_v<E, std::invalid_argument>) {
        return "std::invalid_argument";
    } else if constexpr (std::is_same_v<E, std::domain_error>) {
        return "std::domain_error";
    } else if constexpr (std::is_same_v<E, std::length_error>) {
        return "std::length_error";
    } else if constexpr (std::is_same_v<E, std::out_of_range>) {
        return "std::out_of_range";
    } else if constexpr (std::is_same_v<E, std::logic_error>) {
        return "std::logic_error";
    } else if constexpr (std::is_same_v<E, std::range_error>) {
        return "std::range_error";
    } else if constexpr (std::is_same_v<E, std::overflow_error>) {
        return "std::overflow_error";
    } else if constexpr (std::is_same_v<E, std::underflow_error>) {
        return "std::underflow_error";
    } else if constexpr (std::is_same_v<E, std::runtime_error>) {
        return "std::runtime_error";
    } else if constexpr (std::is_same_v<E, std::bad_cast>) {
        return "std::bad_cast";
    } else if constexpr (std::is_same_v<E, std::bad_typeid>) {
        return "std::bad_typeid";
    } else if constexpr (std::is_same_v<E, std::bad_exception>) {
        return "std::bad_exception";
    } else {
        static_assert(std::is_same_v<E, std::exception>, "std_name: not a listed standard exception");
        return "std::exception";
    }
}

#if VIX_FFI_HPP_RTTI
template <class... E>
std::string_view listed_std_name(const std::type_info &type) noexcept
{
    std::string_view found;
    ((found.empty() && type == typeid(E) ? (found = std_name<E>(), 0) : 0), ...);
    return found;
}
#endif

/*
 * Writes the name of the dynamic type of e (a class derived from a standard exception
 * keeps its own name, "mylib::parse_error"), or static_name without RTTI. Standard
 * exceptions are named without allocating; other names are demangled where the C++ ABI
 * allows it (that allocates; if it fails, the raw name is written).
 */
inline void write_type_name(message_writer &w, const std::exception &e, std::string_view static_name) noexcept
{
#if VIX_FFI_HPP_RTTI
    const std::type_info &type = typeid(e);
    const std::string_view known =
        listed_std_name<std::bad_array_new_length, std::bad_alloc, std::invalid_argument, std::domain_error,
                        std::length_error, std::out_of_range, std::logic_error, std::range_error, std::overflow_error,
                        std::underflow_error, std::runtime_error, std::bad_cast, std::bad_typeid,
                        std::bad_exception, std::exception>(type);
    if (!known.empty()) {
        w.text(known);
        return;
    }
    std::string_view raw = type.name() != nullptr ? std::string_view(type.name()) : std::string_view();
#if VIX_FFI_HPP_DEMANGLE
    int result = -1;
    char *demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &result);
    if (demangled != nullptr && result == 0) {
        std::string_view name(demangled);
        constexpr std::string_view libcxx_std = "std::__1::";
        if (name.substr(0, libcxx_std.size()) == libcxx_std) {
            w.text("std::");
            name.remove_prefix(libcxx_std.size());
        }
        w.text(name);
        std::free(demangled);
        return;
    }
    std::free(demangled);
#endif
    for (const std::string_view tag : {std::string_view("class "), std::string_view("struct ")}) {
        if (raw.substr(0, tag.size()) == tag) { /* MSVC's names */
            raw.remove_prefix(tag.size());
        }
    }
    w.text(raw.empty() ? static_name : raw);
#else
    static_cast<void>(e);
    w.text(static_name);
#endif
}

/*
 * "<type>: <what()>", or "<type>" alone, or "<type>: <when_bare>", when what() is empty
 * or only repeats the type name (std::bad_alloc's does).
 */
inline vix_str typed_message(const std::exception &e, std::string_view static_name, std::string_view when_bare) noexcept
{
    message_writer w;
    write_type_name(w, e, static_name);
    const std::string_view type = w.current();
    const char *what = e.what();
    const std::string_view text = what != nullptr ? std::string_view(what) : std::string_view();
    if (!text.empty() && text != type) {
        w.text(": ").text(text);
    } else if (!when_bare.empty()) {
        w.text(": ").text(when_bare);
    }
    return w.finish();
}

/* Which family of entry points is asking: the two map exceptions differently. */
enum class mapping { v1_0, typed };

/*
 * The status of a standard exception caught as E: the v1.0 text, or the typed mapping's
 * code and "<type>: <what()>" (E names the type when there is no RTTI).
 */
template <class E>
vix_status standard_status(mapping how, const E &e, std::int32_t typed_code) noexcept
{
    if (how == mapping::v1_0) {
        return make_status(VIX_STATUS_ERROR, message_writer().text("C++ exception: ").c_str(e.what()).finish());
    }
    return make_status_code(typed_code, typed_message(e, std_name<E>(), ""));
}

/*
 * The status for the exception being handled. Call only inside a catch block. The
 * message is copied out of the exception, which is destroyed when the catch ends.
 */
inline vix_status status_from_current_exception(mapping how) noexcept
{
    try {
        throw;
    } catch (const error &e) {
        const vix_status_code code = e.code() == VIX_STATUS_OK ? VIX_STATUS_ERROR : e.code();
        return make_status(code, message_writer().c_str(e.what()).finish());
    } catch (const library_error &e) {
        const char *what = e.what();
        return library_status(e.code(), what != nullptr ? std::string_view(what) : std::string_view());
    } catch (const std::bad_alloc &e) {
        if (how == mapping::v1_0) {
            return make_status(VIX_STATUS_ERROR, message_writer().text("out of memory: ").c_str(e.what()).finish());
        }
        return make_status_code(bad_alloc_code, typed_message(e, std_name<std::bad_alloc>(), "out of memory"));
    } catch (const std::invalid_argument &e) {
        return standard_status(how, e, VIX_STATUS_INVALID_ARG);
    } catch (const std::domain_error &e) {
        return standard_status(how, e, VIX_STATUS_INVALID_ARG);
    } catch (const std::logic_error &e) { /* the next three only name the class without RTTI */
        return standard_status(how, e, VIX_STATUS_ERROR);
    } catch (const std::runtime_error &e) {
        return standard_status(how, e, VIX_STATUS_ERROR);
    } catch (const std::exception &e) {
        return standard_status(how, e, VIX_STATUS_ERROR);
    } catch (...) {
        return make_status(VIX_STATUS_ERROR, static_str(unknown_exception_message));
    }
}

inline void publish(vix_status *out_status, const vix_status &st) noexcept
{
    if (out_status != nullptr) {
        *out_status = st;
    }
}

inline constexpr std::size_t max_buffer = static_cast<std::size_t>(PTRDIFF_MAX);

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
                st = status_from_current_exception(mapping::v1_0);
            }
        }
    }
    publish(a.out_status, st);
    return st.code;
}

inline vix_status too_small(std::size_t *out_len, std::size_t out_cap, std::size_t need) noexcept
{
    *out_len = need;
    return make_status(VIX_STATUS_BUFFER_TOO_SMALL, message_writer()
                                                        .text("output buffer too small: ")
                                                        .number(need)
                                                        .text(" bytes needed, out_cap is ")
                                                        .number(out_cap)
                                                        .finish());
}

inline vix_status too_small(const op_args &a, std::size_t need) noexcept { return too_small(a.out_len, a.out_cap, need); }

inline vix_status wrote_too_much(std::size_t written, std::size_t need) noexcept
{
    return make_status(VIX_STATUS_ERROR, message_writer()
                                             .text("internal error: operation reported ")
                                             .number(written)
                                             .text(" bytes written into a buffer of ")
                                             .number(need)
                                             .finish());
}

/* ---- typed functions ---- */

template <class T>
inline constexpr bool is_abi_scalar_v =
    std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::int64_t> ||
    std::is_same_v<T, std::uint64_t> || std::is_same_v<T, std::size_t> || std::is_same_v<T, double> ||
    std::is_same_v<T, bool>;

template <class In>
struct is_input : std::is_same<In, input> {};

template <class Handle>
struct is_input<object_input<Handle>> : std::true_type {};

template <class Handle>
struct is_input<optional_object_input<Handle>> : std::true_type {};

template <>
struct is_input<optional_input> : std::true_type {};

template <class... In>
inline constexpr bool all_inputs_v = (is_input<In>::value && ...);

inline byte_view view_of(const input &in) noexcept { return byte_view(in.len > 0 ? in.ptr : nullptr, in.len); }

/*
 * An object input reaches the body as a reference to its C++ object. check_inputs() has
 * refused a NULL handle already; the test here is for the optimiser, which cannot always
 * see that and would otherwise warn about a NULL dereference on a path never taken.
 */
template <class Handle>
typename Handle::value_type &view_of(const object_input<Handle> &in)
{
    if (in.handle == nullptr) {
        throw error(VIX_STATUS_INVALID_ARG, "an object input is NULL");
    }
    return in.handle->get();
}

/* An optional object input: a pointer to the C++ object, NULL for None. */
template <class Handle>
typename Handle::value_type *view_of(const optional_object_input<Handle> &in) noexcept
{
    return in.handle != nullptr ? &in.handle->get() : nullptr;
}

/* An optional bytes input: nullopt for None (a NULL pointer), else a view. */
inline std::optional<byte_view> view_of(const optional_input &in) noexcept
{
    if (in.ptr == nullptr) {
        return std::nullopt;
    }
    return byte_view(in.len > 0 ? in.ptr : nullptr, in.len);
}

/* Whether an input's bytes overlap the output (an object input has no bytes). */
inline bool overlaps_output(const input &in, const std::uint8_t *out, std::size_t need) noexcept
{
    return overlaps(in.ptr, in.len, out, need);
}

template <class Handle>
bool overlaps_output(const object_input<Handle> &, const std::uint8_t *, std::size_t) noexcept
{
    return false;
}

template <class Handle>
bool overlaps_output(const optional_object_input<Handle> &, const std::uint8_t *, std::size_t) noexcept
{
    return false;
}

inline bool overlaps_output(const optional_input &in, const std::uint8_t *out, std::size_t need) noexcept
{
    return overlaps(in.ptr, in.len, out, need);
}

/* VIX_STATUS_INVALID_ARG for the first bad input, else OK. */
inline vix_status check_input(const input &in) noexcept
{
    const std::string_view name = in.name != nullptr ? std::string_view(in.name) : std::string_view("input");
    if (in.ptr == nullptr && in.len > 0) {
        return make_status(VIX_STATUS_INVALID_ARG, message_writer()
                                                       .text(name)
                                                       .text("_ptr is NULL but ")
                                                       .text(name)
                                                       .text("_len is ")
                                                       .number(in.len)
                                                       .finish());
    }
    if (in.len > max_buffer) {
        return make_status(VIX_STATUS_INVALID_ARG, message_writer()
                                                       .text(name)
                                                       .text("_len ")
                                                       .number(in.len)
                                                       .text(" exceeds the largest possible buffer")
                                                       .finish());
    }
    return vix_status_ok();
}

/* VIX_STATUS_INVALID_ARG for a NULL object input ("other is NULL"), else OK. */
template <class Handle>
vix_status check_input(const object_input<Handle> &in) noexcept
{
    if (in.handle == nullptr) {
        return make_status(VIX_STATUS_INVALID_ARG, message_writer()
                                                       .text(in.name != nullptr ? std::string_view(in.name)
                                                                                : std::string_view("object"))
                                                       .text(" is NULL")
                                                       .finish());
    }
    return vix_status_ok();
}

/* An optional object input: NULL is None, always accepted. */
template <class Handle>
vix_status check_input(const optional_object_input<Handle> &) noexcept
{
    return vix_status_ok();
}

/* An optional bytes input: the checks of a plain one. */
inline vix_status check_input(const optional_input &in) noexcept { return check_input(input{in.ptr, in.len, in.name}); }

template <class... In>
vix_status check_inputs(const In &...inputs) noexcept
{
    vix_status st = vix_status_ok();
    ((st.code == VIX_STATUS_OK ? (st = check_input(inputs), 0) : 0), ...);
    return st;
}

/* The checks of a bytes output (out_len first, as v1.0); sets *out.len to 0 when it can. */
inline vix_status check_bytes_out(const bytes_out &out) noexcept
{
    if (out.len == nullptr) {
        return make_status(VIX_STATUS_INVALID_ARG, static_str("out_len is NULL"));
    }
    *out.len = 0;
    if (out.ptr == nullptr && out.cap > 0) {
        return make_status(VIX_STATUS_INVALID_ARG,
                           message_writer().text("out_ptr is NULL but out_cap is ").number(out.cap).finish());
    }
    if (out.cap > max_buffer) {
        return make_status(VIX_STATUS_INVALID_ARG, message_writer()
                                                       .text("out_cap ")
                                                       .number(out.cap)
                                                       .text(" exceeds the largest possible buffer")
                                                       .finish());
    }
    return vix_status_ok();
}

/* Runs work() -> vix_status; an exception becomes a status with the typed mapping. */
template <class Work>
vix_status run_typed(Work &&work) noexcept
{
    try {
        return work();
    } catch (...) {
        return status_from_current_exception(mapping::typed);
    }
}

inline int finish(vix_status *out_status, const vix_status &st) noexcept
{
    publish(out_status, st);
    return st.code;
}

} // namespace detail

/**
 * @brief Copies text into this thread's message buffer and returns a view of the copy,
 * valid until the next message is stored on this thread (by any function of this header).
 */
inline vix_str thread_message(std::string_view text) noexcept
{
    return detail::message_writer().text(text).finish();
}

/** @brief Writes {code, copy of message} to *out_status when it is not NULL. */
inline void write_status(vix_status *out_status, vix_status_code code, std::string_view message) noexcept
{
    if (out_status != nullptr) {
        *out_status = detail::make_status(code, message.empty() ? vix_status_ok().message : thread_message(message));
    }
}

/**
 * @brief Reports a library error without throwing, for a function written by hand:
 * `return vix::ffi::fail(out_status, too_long, "...");`.
 *
 * Writes {code, copy of message} to *out_status when it is not NULL (VIX_STATUS_ERROR and
 * a message saying so when the code is below 1000) and returns the code written, which is
 * never 0.
 */
inline int fail(vix_status *out_status, library_code code, std::string_view message) noexcept
{
    const vix_status st = detail::library_status(code, message);
    detail::publish(out_status, st);
    return st.code;
}

/* ---- the entry points of the v1.0 operation shape ---------------------------------- */

/**
 * @brief The operation shape when the output size is known from the input alone.
 *
 * @param args  the six arguments of the exported function.
 * @param size  `size(byte_view in) -> std::size_t`: the exact (or largest) output size.
 * @param write `write(byte_view in, byte_span out) -> std::size_t or void`: fills out,
 *              which has exactly that size, and returns the bytes written (void: all of
 *              them). Returning more than out.size() is reported as VIX_STATUS_ERROR.
 * @return the status code: 0 on success.
 *
 * A capacity below size() is answered with VIX_STATUS_BUFFER_TOO_SMALL and the size in
 * *out_len before write() runs; input and output buffers that overlap are refused. Either
 * callback may throw; see the top of this file for what the caller gets (v1.0 mapping).
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
            return detail::wrote_too_much(written, need);
        }
        *args.out_len = written;
        return vix_status_ok();
    });
}

/**
 * @brief The operation shape when the output size is only known after the work.
 *
 * @param args the six arguments of the exported function.
 * @param work `work(byte_view in) -> R`, where R is a contiguous container of bytes or
 *             chars with data() and size(): std::string, std::vector<uint8_t>,
 *             std::vector<char>, or a std::string_view of storage that outlives the call.
 *             It runs on every call, size queries included.
 * @return the status code: 0 on success.
 *
 * The result is copied to out_ptr when it fits (the input may alias the output: the copy
 * happens after the work); otherwise the call fails with VIX_STATUS_BUFFER_TOO_SMALL and
 * the size in *out_len, and the caller's retry repeats the work. Prefer sized() whenever
 * the size can be computed first. Exceptions: the v1.0 mapping (top of this file).
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

/**
 * @brief <pkg>_ffi_version: an OK status and the given string literal (static storage,
 * not NUL-terminated for the caller, never freed).
 */
template <std::size_t N>
vix_str version(vix_status *out_status, const char (&text)[N]) noexcept
{
    static_assert(N >= 1, "version() takes a string literal");
    detail::publish(out_status, vix_status_ok());
    return detail::static_str(std::string_view(text, N - 1));
}

/**
 * @brief Runs body() for a function of any other shape, with the v1.0 mapping of
 * exceptions (see the top of this file).
 *
 * @param out_status receives the status when not NULL.
 * @param body `body() -> void`; it stores its results through captured references.
 * @return the status code: 0 on success.
 *
 * For a typed function prefer no_result() or value_result(), which check the inputs and
 * map standard exceptions to the status codes Python users expect.
 */
template <class Body>
int guard(vix_status *out_status, Body &&body) noexcept
{
    vix_status st = vix_status_ok();
    try {
        std::forward<Body>(body)();
    } catch (...) {
        st = detail::status_from_current_exception(detail::mapping::v1_0);
    }
    detail::publish(out_status, st);
    return st.code;
}

/* ---- the entry points of typed functions (ABI v1.1) -------------------------------- */

/*
 * What every typed helper does, in this order:
 *
 * 1. checks the output argument (out_value NULL, or out_len NULL, out_ptr NULL with
 *    out_cap > 0, out_cap above PTRDIFF_MAX: VIX_STATUS_INVALID_ARG), then every input
 *    (see vix::ffi::input), before any callback runs;
 * 2. calls the callbacks with one byte_view per input, in the order of the inputs;
 *    scalar parameters reach the callbacks through the lambda's captures;
 * 3. catches every exception, with the typed mapping (status_for_exception below);
 * 4. writes the status when out_status is not NULL and returns its code (0 exactly on
 *    success).
 *
 * Exceptions, typed mapping:
 *   vix::ffi::error                       its code (VIX_STATUS_OK: VIX_STATUS_ERROR), its text
 *   vix::ffi::library_error               its code (below 1000: VIX_STATUS_ERROR), its text
 *   std::invalid_argument, std::domain_error
 *                                         VIX_STATUS_INVALID_ARG, "<type>: <what()>"
 *   std::bad_alloc (and derived)          VIX_FFI_BAD_ALLOC_CODE, "<type>: out of memory"
 *                                         (or "<type>: <what()>" when what() says more)
 *   any other std::exception              VIX_STATUS_ERROR, "<type>: <what()>"
 *   anything else                         VIX_STATUS_ERROR, "unknown C++ exception (not
 *                                         derived from std::exception)"
 * <type> is the dynamic type ("mylib::parse_error" for a class of the library derived
 * from std::runtime_error), or the standard class caught when RTTI is off.
 */

/**
 * @brief A typed function whose result is one scalar: `T *out_value`, written on success
 * only.
 *
 * @tparam T int32_t, uint32_t, int64_t, uint64_t, size_t, double or bool (others do not
 *           compile).
 * @param out_value  the output pointer; NULL gives VIX_STATUS_INVALID_ARG.
 * @param out_status receives the status when not NULL.
 * @param body `body(byte_view...) -> R`, one byte_view per input; R must convert to T
 *             without narrowing (`return uint32_t{...}` where T is uint32_t; a narrowing
 *             conversion does not compile).
 * @param inputs zero or more vix::ffi::input, in the order of the C parameters.
 * @return the status code: 0 on success.
 */
template <class T, class Body, class... In>
int value_result(T *out_value, vix_status *out_status, Body &&body, const In &...inputs) noexcept
{
    static_assert(detail::is_abi_scalar_v<T>,
                  "value_result: out_value must point to int32_t, uint32_t, int64_t, uint64_t, size_t, double "
                  "or bool");
    static_assert(detail::all_inputs_v<In...>, "value_result: pass inputs as vix::ffi::input{ptr, len, \"name\"} or "
                  "vix::ffi::object_input{handle, \"name\"}");
    vix_status st = vix_status_ok();
    if (out_value == nullptr) {
        st = detail::make_status(VIX_STATUS_INVALID_ARG, detail::static_str("out_value is NULL"));
    } else {
        st = detail::check_inputs(inputs...);
        if (st.code == VIX_STATUS_OK) {
            st = detail::run_typed([&]() -> vix_status {
                const T value{body(detail::view_of(inputs)...)};
                *out_value = value; /* only now: a failure leaves *out_value alone */
                return vix_status_ok();
            });
        }
    }
    return detail::finish(out_status, st);
}

/**
 * @brief A typed function without a result.
 *
 * @param out_status receives the status when not NULL.
 * @param body `body(byte_view...) -> void`, one byte_view per input.
 * @param inputs zero or more vix::ffi::input, in the order of the C parameters.
 * @return the status code: 0 on success.
 */
template <class Body, class... In>
int no_result(vix_status *out_status, Body &&body, const In &...inputs) noexcept
{
    static_assert(detail::all_inputs_v<In...>, "no_result: pass inputs as vix::ffi::input{ptr, len, \"name\"} or "
                  "vix::ffi::object_input{handle, \"name\"}");
    vix_status st = detail::check_inputs(inputs...);
    if (st.code == VIX_STATUS_OK) {
        st = detail::run_typed([&]() -> vix_status {
            static_assert(std::is_void_v<decltype(body(detail::view_of(inputs)...))>,
                          "no_result: body must return void (use value_result for a result)");
            body(detail::view_of(inputs)...);
            return vix_status_ok();
        });
    }
    return detail::finish(out_status, st);
}

/**
 * @brief A typed function with a bytes or text result whose size is known before the
 * work, with every sizing rule of v1.0.
 *
 * @param out    {out_ptr, out_cap, out_len}.
 * @param out_status receives the status when not NULL.
 * @param size  `size(byte_view...) -> std::size_t`: the exact (or largest) output size.
 * @param write `write(byte_view..., byte_span out) -> std::size_t or void`: fills out,
 *              which has exactly that size, and returns the bytes written (void: all of
 *              them). Returning more than out.size() is reported as VIX_STATUS_ERROR.
 * @param inputs zero or more vix::ffi::input, in the order of the C parameters.
 * @return the status code: 0 on success.
 *
 * *out_len is 0 first, the result size on success, the size needed with
 * VIX_STATUS_BUFFER_TOO_SMALL, which is answered before write() runs (so out_ptr NULL with
 * out_cap 0 is a size query). write() never sees more than out_cap bytes. An input that
 * overlaps the output is refused with VIX_STATUS_INVALID_ARG.
 */
template <class SizeFn, class WriteFn, class... In>
int sized_result(const bytes_out &out, vix_status *out_status, SizeFn &&size, WriteFn &&write,
                 const In &...inputs) noexcept
{
    static_assert(detail::all_inputs_v<In...>, "sized_result: pass inputs as vix::ffi::input{ptr, len, \"name\"} or "
                  "vix::ffi::object_input{handle, \"name\"}");
    vix_status st = detail::check_bytes_out(out);
    if (st.code == VIX_STATUS_OK) {
        st = detail::check_inputs(inputs...);
    }
    if (st.code == VIX_STATUS_OK) {
        st = detail::run_typed([&]() -> vix_status {
            const std::size_t need = static_cast<std::size_t>(size(detail::view_of(inputs)...));
            if (need > out.cap) {
                return detail::too_small(out.len, out.cap, need);
            }
            if ((detail::overlaps_output(inputs, out.ptr, need) || ...)) {
                return detail::make_status(
                    VIX_STATUS_INVALID_ARG,
                    detail::static_str("an input and the output buffer overlap; pass separate buffers"));
            }
            const byte_span span(need > 0 ? out.ptr : nullptr, need);
            std::size_t written = need;
            if constexpr (std::is_void_v<decltype(write(detail::view_of(inputs)..., span))>) {
                write(detail::view_of(inputs)..., span);
            } else {
                written = static_cast<std::size_t>(write(detail::view_of(inputs)..., span));
            }
            if (written > need) {
                return detail::wrote_too_much(written, need);
            }
            *out.len = written;
            return vix_status_ok();
        });
    }
    return detail::finish(out_status, st);
}

/**
 * @brief A typed function with a bytes or text result whose size is only known after the
 * work.
 *
 * @param out    {out_ptr, out_cap, out_len}.
 * @param out_status receives the status when not NULL.
 * @param work `work(byte_view...) -> R`, R a contiguous container of bytes or chars, as
 *             for with_result(). It runs on every call, size queries included.
 * @param inputs zero or more vix::ffi::input, in the order of the C parameters.
 * @return the status code: 0 on success.
 *
 * The result is copied when it fits in out_cap; otherwise VIX_STATUS_BUFFER_TOO_SMALL with
 * its size in *out_len, and nothing is written. Inputs may alias the output.
 */
template <class WorkFn, class... In>
int bytes_result(const bytes_out &out, vix_status *out_status, WorkFn &&work, const In &...inputs) noexcept
{
    static_assert(detail::all_inputs_v<In...>, "bytes_result: pass inputs as vix::ffi::input{ptr, len, \"name\"} or "
                  "vix::ffi::object_input{handle, \"name\"}");
    vix_status st = detail::check_bytes_out(out);
    if (st.code == VIX_STATUS_OK) {
        st = detail::check_inputs(inputs...);
    }
    if (st.code == VIX_STATUS_OK) {
        st = detail::run_typed([&]() -> vix_status {
            const auto result = work(detail::view_of(inputs)...);
            static_assert(sizeof(*result.data()) == 1,
                          "bytes_result: work() must return a container of bytes or chars");
            const std::size_t n = static_cast<std::size_t>(result.size());
            if (n > out.cap) {
                return detail::too_small(out.len, out.cap, n);
            }
            if (n > 0) {
                std::memmove(out.ptr, result.data(), n);
            }
            *out.len = n;
            return vix_status_ok();
        });
    }
    return detail::finish(out_status, st);
}

/* ---- the entry points of objects (ABI v1.1) ---------------------------------------- */

/*
 * A class of the manifest is a handle struct (see vix::ffi::object) and one exported
 * function per entry point, each written with one helper:
 *
 *   pkg_thing_new        make_object(out_handle, out_status, make, inputs...)
 *   a method returning   a scalar: value_method, nothing (or "self"): no_result_method,
 *                        bytes or text: sized_method or bytes_method,
 *                        a new object: object_method
 *   pkg_thing_free       free_object(self)
 *
 * The method helpers refuse a NULL self with VIX_STATUS_INVALID_ARG ("self is NULL")
 * before anything else, then do exactly what the typed helper of the same result does
 * (value_result, no_result, sized_result, bytes_result): argument checks, the body, the
 * typed mapping of exceptions, the status. Their callbacks receive the C++ object first
 * (`mylib::thing &`), then one view per input. A method whose manifest result is "self"
 * has no output in C: write it with no_result_method; Python returns the object.
 *
 * Threads: unless the manifest declares the class "thread_safe", the binding never makes
 * two calls at once on one handle, so the C++ object needs no lock of its own. Calls on
 * different handles do run at the same time: state shared between objects (a counter, a
 * cache) must be synchronised.
 */

namespace detail {

inline vix_status null_self() noexcept
{
    return make_status(VIX_STATUS_INVALID_ARG, static_str("self is NULL"));
}

/* body(views...) -> body(self's object, views...), for the typed helpers. */
template <class Handle, class Body>
auto bind_self(Handle &self, Body &body) noexcept
{
    return [&object = self.get(), &body](auto &&...views) -> decltype(auto) {
        return body(object, std::forward<decltype(views)>(views)...);
    };
}

} // namespace detail

/**
 * @brief A new object: `pkg_thing_new`, or any function or method whose result is a new
 * object of a class.
 *
 * @param out_handle receives the new handle, on success only; NULL gives
 *                   VIX_STATUS_INVALID_ARG. The caller owns the handle.
 * @param out_status receives the status when not NULL.
 * @param make `make(views...) -> T`, one view per input (a byte_view per vix::ffi::input,
 *             a reference per vix::ffi::object_input), T the class of Handle (or a type it
 *             can be built from). The object is built in place from the returned value:
 *             `return mylib::thing(a, b);` copies or moves nothing.
 * @param inputs zero or more vix::ffi::input and vix::ffi::object_input, in the order of
 *               the C parameters; scalar parameters reach make through its captures.
 * @return the status code: 0 on success.
 *
 * An exception from make, from T's constructor or from the allocation is mapped as the
 * typed helpers map it (std::bad_alloc: VIX_FFI_BAD_ALLOC_CODE); nothing is leaked and
 * *out_handle is left alone.
 */
template <class Handle, class Make, class... In>
int make_object(Handle **out_handle, vix_status *out_status, Make &&make, const In &...inputs) noexcept
{
    static_assert(is_handle_v<Handle>,
                  "make_object: the handle struct must derive from vix::ffi::object<T> (see VIX_FFI_OBJECT)");
    static_assert(detail::all_inputs_v<In...>, "make_object: pass inputs as vix::ffi::input{ptr, len, \"name\"} or "
                                               "vix::ffi::object_input{handle, \"name\"}");
    vix_status st = vix_status_ok();
    if (out_handle == nullptr) {
        st = detail::make_status(VIX_STATUS_INVALID_ARG, detail::static_str("out_handle is NULL"));
    } else {
        st = detail::check_inputs(inputs...);
        if (st.code == VIX_STATUS_OK) {
            st = detail::run_typed([&]() -> vix_status {
                Handle *made = new Handle([&]() -> decltype(auto) { return make(detail::view_of(inputs)...); });
                *out_handle = made; /* only now: a failure leaves *out_handle alone */
                return vix_status_ok();
            });
        }
    }
    return detail::finish(out_status, st);
}

/**
 * @brief A method whose result is one scalar: value_result() on the object of self.
 *
 * @param self the handle; NULL gives VIX_STATUS_INVALID_ARG.
 * @param body `body(T &object, views...) -> R`, R converting to the scalar without
 *             narrowing. The other parameters are value_result()'s.
 */
template <class Handle, class V, class Body, class... In>
int value_method(Handle *self, V *out_value, vix_status *out_status, Body &&body, const In &...inputs) noexcept
{
    static_assert(is_handle_v<Handle>, "value_method: self must be a handle struct (see VIX_FFI_OBJECT)");
    if (self == nullptr) {
        return detail::finish(out_status, detail::null_self());
    }
    return value_result(out_value, out_status, detail::bind_self(*self, body), inputs...);
}

/**
 * @brief A method without a result in C (the manifest's "none" or "self"): no_result() on
 * the object of self.
 *
 * @param self the handle; NULL gives VIX_STATUS_INVALID_ARG.
 * @param body `body(T &object, views...) -> void`. The other parameters are no_result()'s.
 */
template <class Handle, class Body, class... In>
int no_result_method(Handle *self, vix_status *out_status, Body &&body, const In &...inputs) noexcept
{
    static_assert(is_handle_v<Handle>, "no_result_method: self must be a handle struct (see VIX_FFI_OBJECT)");
    if (self == nullptr) {
        return detail::finish(out_status, detail::null_self());
    }
    return no_result(out_status, detail::bind_self(*self, body), inputs...);
}

/**
 * @brief A method with a bytes or text result whose size is known first: sized_result()
 * on the object of self.
 *
 * @param self the handle; NULL gives VIX_STATUS_INVALID_ARG.
 * @param size  `size(T &object, views...) -> std::size_t`.
 * @param write `write(T &object, views..., byte_span out) -> std::size_t or void`.
 * The other parameters are sized_result()'s, with every sizing rule.
 */
template <class Handle, class SizeFn, class WriteFn, class... In>
int sized_method(Handle *self, const bytes_out &out, vix_status *out_status, SizeFn &&size, WriteFn &&write,
                 const In &...inputs) noexcept
{
    static_assert(is_handle_v<Handle>, "sized_method: self must be a handle struct (see VIX_FFI_OBJECT)");
    if (self == nullptr) {
        return detail::finish(out_status, detail::null_self());
    }
    return sized_result(out, out_status, detail::bind_self(*self, size), detail::bind_self(*self, write), inputs...);
}

/**
 * @brief A method with a bytes or text result whose size is only known after the work:
 * bytes_result() on the object of self.
 *
 * @param self the handle; NULL gives VIX_STATUS_INVALID_ARG.
 * @param work `work(T &object, views...) -> R`, R a contiguous container of bytes or
 *             chars. It runs on every call, size queries included, so it should not
 *             change the object. The other parameters are bytes_result()'s.
 */
template <class Handle, class WorkFn, class... In>
int bytes_method(Handle *self, const bytes_out &out, vix_status *out_status, WorkFn &&work,
                 const In &...inputs) noexcept
{
    static_assert(is_handle_v<Handle>, "bytes_method: self must be a handle struct (see VIX_FFI_OBJECT)");
    if (self == nullptr) {
        return detail::finish(out_status, detail::null_self());
    }
    return bytes_result(out, out_status, detail::bind_self(*self, work), inputs...);
}

/**
 * @brief A method whose result is a new object (a copy, a child), of the same class or
 * another: make_object() with the object of self.
 *
 * @param self the handle; NULL gives VIX_STATUS_INVALID_ARG.
 * @param out_handle receives the new handle (of any handle struct), on success only.
 * @param make `make(T &object, views...) -> U`, U the class of the new handle.
 */
template <class Handle, class NewHandle, class Make, class... In>
int object_method(Handle *self, NewHandle **out_handle, vix_status *out_status, Make &&make,
                  const In &...inputs) noexcept
{
    static_assert(is_handle_v<Handle>, "object_method: self must be a handle struct (see VIX_FFI_OBJECT)");
    if (self == nullptr) {
        return detail::finish(out_status, detail::null_self());
    }
    return make_object(out_handle, out_status, detail::bind_self(*self, make), inputs...);
}

/**
 * @brief `pkg_thing_free`: destroys the object and releases the handle. NULL does
 * nothing. Never throws: should T's destructor throw (only possible when it is declared
 * noexcept(false)), the exception is dropped and the memory is still released.
 */
template <class Handle>
void free_object(Handle *self) noexcept
{
    static_assert(is_handle_v<Handle>, "free_object: self must be a handle struct (see VIX_FFI_OBJECT)");
    try {
        delete self;
    } catch (...) { /* the memory is released even so: [expr.delete] */
    }
}

/**
 * @brief The status the typed helpers give the exception being handled; call it only
 * inside a catch block, for a function written by hand:
 *
 *   try { ... } catch (...) { st = vix::ffi::status_for_exception(); }
 *
 * The message lives in this thread's buffer (see the top of this file).
 */
inline vix_status status_for_exception() noexcept
{
    return detail::status_from_current_exception(detail::mapping::typed);
}

} // namespace vix::ffi

/**
 * @def VIX_FFI_OBJECT(c_type, ...)
 * @brief Completes the C handle type `c_type` (the `pkg_thing` of
 * `typedef struct pkg_thing pkg_thing;`) as the handle struct of the C++ class given
 * after it. Use it at global scope, where C declares the struct, once per class:
 *
 *   VIX_FFI_OBJECT(mylib_counter, mylib::counter);
 *
 * It expands to `struct c_type final : vix::ffi::object<T> { using ...::object; }`.
 */
#define VIX_FFI_OBJECT(c_type, ...)                                                                                   \
    struct c_type final : ::vix::ffi::object<__VA_ARGS__> {                                                           \
        using ::vix::ffi::object<__VA_ARGS__>::object;                                                                \
    }

#endif /* VIX_FFI_HPP */
