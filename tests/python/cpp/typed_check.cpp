// typed_check.cpp - unit checks of the typed helpers of include/vix/ffi/vix_ffi.hpp
// (value_result, no_result, sized_result, bytes_result, library codes, the typed mapping
// of exceptions), compiled and run by test_cpp_typed_helper.py with -std=c++17 and every
// warning as an error, with each compiler found, and once more under AddressSanitizer and
// UndefinedBehaviorSanitizer (with -DTYPED_CHECK_SANITIZED, which leaves out the real
// allocation failures: ASan aborts on those). Prints one line per failed check; exits 1
// if any failed.
//
// EXPECTED_BAD_ALLOC_CODE is the code std::bad_alloc must give: the test compiles this
// file with and without -DVIX_FFI_BAD_ALLOC_CODE=<n>.
#include <vix/ffi/vix_ffi.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef EXPECTED_BAD_ALLOC_CODE
#define EXPECTED_BAD_ALLOC_CODE 1999
#endif

namespace checks {

// A library's own exception classes: their names must reach the message.
class parse_failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class bad_level : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

} // namespace checks

namespace {

int failures = 0;

#define CHECK(cond)                                                                                                   \
    do {                                                                                                              \
        if (!(cond)) {                                                                                                \
            std::printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                     \
            ++failures;                                                                                               \
        }                                                                                                             \
    } while (0)

#define CHECK_EQ_STR(actual, expected)                                                                                \
    do {                                                                                                              \
        const std::string a_ = (actual);                                                                              \
        const std::string e_ = (expected);                                                                            \
        if (a_ != e_) {                                                                                               \
            std::printf("%s:%d: check failed: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual,          \
                        a_.c_str(), e_.c_str());                                                                      \
            ++failures;                                                                                               \
        }                                                                                                             \
    } while (0)

constexpr std::uint8_t kGuard = 0xA5;
constexpr std::int32_t kSentinel = -12345;

constexpr vix::ffi::library_code kTooLong{1001};
constexpr vix::ffi::library_code kOther = vix::ffi::library_code_v<4000>;

std::string text_of(const vix_str &s) { return s.len == 0 ? std::string() : std::string(s.ptr, s.len); }

const std::uint8_t *bytes(const std::string &s)
{
    return s.empty() ? nullptr : reinterpret_cast<const std::uint8_t *>(s.data());
}

vix_status fresh_status()
{
    vix_status st;
    st.code = kSentinel;
    st.message.ptr = "sentinel";
    st.message.len = 8;
    return st;
}

/* ---- functions written as a library author would ---------------------------------- */

int body_calls = 0;

// uint32 sum(data: bytes, seed: uint32) -> uint32
int sum32(const std::uint8_t *data_ptr, std::size_t data_len, std::uint32_t seed, std::uint32_t *out_value,
          vix_status *out_status) noexcept
{
    return vix::ffi::value_result(
        out_value, out_status,
        [seed](vix::ffi::byte_view data) {
            ++body_calls;
            std::uint32_t sum = seed;
            for (std::uint8_t b : data) {
                sum += b;
            }
            return sum;
        },
        vix::ffi::input{data_ptr, data_len, "data"});
}

// Hands its scalar back, through value_result, for every scalar type.
template <class T>
int identity(T x, T *out_value, vix_status *out_status) noexcept
{
    return vix::ffi::value_result(out_value, out_status, [x] { return x; });
}

// Throws what `what` names; the output of a scalar function must stay untouched.
void throw_named(std::string_view what)
{
    if (what == "invalid_argument") {
        throw std::invalid_argument("level must be 1 to 9");
    }
    if (what == "domain_error") {
        throw std::domain_error("sqrt of a negative number");
    }
    if (what == "out_of_range") {
        throw std::out_of_range("index 7 of 3");
    }
    if (what == "runtime_error") {
        throw std::runtime_error("the disk is on fire");
    }
    if (what == "length_error") {
        throw std::length_error("");
    }
    if (what == "parse_failure") {
        throw checks::parse_failure("unexpected '}' at offset 4");
    }
    if (what == "bad_level") {
        throw checks::bad_level("level 12");
    }
    if (what == "bad_alloc") {
        throw std::bad_alloc();
    }
    if (what == "huge_alloc") {
        static volatile std::size_t huge = std::size_t{1} << 62;
        std::vector<std::uint8_t> v;
        v.reserve(huge);
        throw std::logic_error("reserve did not fail");
    }
    if (what == "operator_new") {
        static volatile std::size_t huge = std::size_t{1} << 62;
        void *p = ::operator new(huge);
        ::operator delete(p);
        throw std::logic_error("operator new did not fail");
    }
    if (what == "array_new") {
        throw std::bad_array_new_length(); // a class derived from std::bad_alloc
    }
    if (what == "int") {
        throw 42;
    }
    if (what == "not_supported") {
        throw vix::ffi::not_supported("no SIMD here");
    }
    if (what == "ok_code") {
        throw vix::ffi::error(VIX_STATUS_OK, "not really ok");
    }
    if (what == "library") {
        throw vix::ffi::library_error(kTooLong, "the result would exceed 1 MiB");
    }
    if (what == "library_other") {
        throw vix::ffi::library_error(kOther, std::string("other"));
    }
    if (what == "library_low") {
        volatile std::int32_t low = 7;
        throw vix::ffi::library_error(vix::ffi::library_code(low), "seven");
    }
    if (what == "library_negative") {
        volatile std::int32_t low = -5;
        throw vix::ffi::library_error(vix::ffi::library_code(low), "minus five");
    }
    if (what == "long") {
        std::string text;
        for (int i = 0; i < 3000; ++i) {
            text += "\xc3\xa9";
        }
        throw std::runtime_error(text);
    }
}

// int64 thrower(what: str) -> int64: 5 unless `what` throws.
int thrower(const std::uint8_t *what_ptr, std::size_t what_len, std::int64_t *out_value,
            vix_status *out_status) noexcept
{
    return vix::ffi::value_result(
        out_value, out_status,
        [](vix::ffi::byte_view what) {
            throw_named(what.chars());
            return std::int64_t{5};
        },
        vix::ffi::input{what_ptr, what_len, "what"});
}

int counter = 0;

// none bump(a: bytes, b: bytes): counts, and throws what `a` names.
int bump(const std::uint8_t *a_ptr, std::size_t a_len, const std::uint8_t *b_ptr, std::size_t b_len,
         vix_status *out_status) noexcept
{
    return vix::ffi::no_result(
        out_status,
        [](vix::ffi::byte_view a, vix::ffi::byte_view b) {
            throw_named(a.chars());
            counter += static_cast<int>(b.size());
        },
        vix::ffi::input{a_ptr, a_len, "a"}, vix::ffi::input{b_ptr, b_len, "b"});
}

int reset_calls = 0;

int reset(vix_status *out_status) noexcept
{
    return vix::ffi::no_result(out_status, [] { ++reset_calls; });
}

int write_calls = 0;
int size_calls = 0;

// str join(a: str, sep: str, b: str) -> str, size known first. "size_error" as a throws
// while sizing, "write_error" while writing.
int join(const std::uint8_t *a_ptr, std::size_t a_len, const std::uint8_t *sep_ptr, std::size_t sep_len,
         const std::uint8_t *b_ptr, std::size_t b_len, std::uint8_t *out_ptr, std::size_t out_cap,
         std::size_t *out_len, vix_status *out_status) noexcept
{
    return vix::ffi::sized_result(
        {out_ptr, out_cap, out_len}, out_status,
        [](vix::ffi::byte_view a, vix::ffi::byte_view sep, vix::ffi::byte_view b) {
            ++size_calls;
            if (a.chars() == "size_error") {
                throw std::domain_error("cannot size this");
            }
            return a.size() + sep.size() + b.size();
        },
        [](vix::ffi::byte_view a, vix::ffi::byte_view sep, vix::ffi::byte_view b, vix::ffi::byte_span out) {
            ++write_calls;
            if (a.chars() == "write_error") {
                throw std::runtime_error("cannot write this");
            }
            std::size_t at = 0;
            for (const vix::ffi::byte_view part : {a, sep, b}) {
                if (!part.empty()) {
                    std::memcpy(out.data() + at, part.data(), part.size());
                }
                at += part.size();
            }
            return at;
        },
        vix::ffi::input{a_ptr, a_len, "a"}, vix::ffi::input{sep_ptr, sep_len, "sep"},
        vix::ffi::input{b_ptr, b_len, "b"});
}

// bytes fill(n: size_t) -> bytes: n times 'z', write step returning void, no input.
int fill(std::size_t n, std::uint8_t *out_ptr, std::size_t out_cap, std::size_t *out_len,
         vix_status *out_status) noexcept
{
    return vix::ffi::sized_result(
        {out_ptr, out_cap, out_len}, out_status, [n] { return n; },
        [](vix::ffi::byte_span out) {
            for (auto &b : out) {
                b = 'z';
            }
        });
}

// Reports one byte more than it may write.
int liar(std::uint8_t *out_ptr, std::size_t out_cap, std::size_t *out_len, vix_status *out_status) noexcept
{
    return vix::ffi::sized_result(
        {out_ptr, out_cap, out_len}, out_status, [] { return std::size_t{2}; },
        [](vix::ffi::byte_span) { return std::size_t{3}; });
}

int work_calls = 0;

// bytes interleave(a: bytes, b: bytes) -> bytes, size known after the work.
int interleave(const std::uint8_t *a_ptr, std::size_t a_len, const std::uint8_t *b_ptr, std::size_t b_len,
               std::uint8_t *out_ptr, std::size_t out_cap, std::size_t *out_len, vix_status *out_status) noexcept
{
    return vix::ffi::bytes_result(
        {out_ptr, out_cap, out_len}, out_status,
        [](vix::ffi::byte_view a, vix::ffi::byte_view b) {
            ++work_calls;
            if (a.chars() == "bad_alloc") {
                throw std::bad_alloc();
            }
            std::vector<std::uint8_t> r;
            for (std::size_t i = 0; i < a.size() || i < b.size(); ++i) {
                if (i < a.size()) {
                    r.push_back(a[i]);
                }
                if (i < b.size()) {
                    r.push_back(b[i]);
                }
            }
            return r;
        },
        vix::ffi::input{a_ptr, a_len, "a"}, vix::ffi::input{b_ptr, b_len, "b"});
}

/* ---- checks ------------------------------------------------------------------------ */

void value_result_checks()
{
    const std::string data = "abc";
    std::uint32_t value = 77;
    vix_status st = fresh_status();
    body_calls = 0;
    int rc = sum32(bytes(data), data.size(), 1000, &value, &st);
    CHECK(rc == 0 && st.code == VIX_STATUS_OK && st.message.ptr == nullptr && st.message.len == 0);
    CHECK(value == 1000u + 'a' + 'b' + 'c' && body_calls == 1);

    // An empty input: a NULL pointer is fine, the body sees an empty view.
    rc = sum32(nullptr, 0, 9, &value, &st);
    CHECK(rc == 0 && value == 9);

    // Argument checks: before the body, and out_value untouched.
    value = 77;
    body_calls = 0;
    st = fresh_status();
    rc = sum32(nullptr, 3, 0, &value, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG && st.code == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "data_ptr is NULL but data_len is 3");
    CHECK(value == 77 && body_calls == 0);

    rc = sum32(bytes(data), SIZE_MAX, 0, &value, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG);
    CHECK(text_of(st.message).find("data_len ") == 0);
    CHECK(text_of(st.message).find("exceeds the largest possible buffer") != std::string::npos);
    CHECK(value == 77 && body_calls == 0);

    rc = sum32(bytes(data), data.size(), 0, nullptr, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG && st.code == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "out_value is NULL");
    CHECK(body_calls == 0);

    // No status pointer: the return value still carries the code.
    CHECK(sum32(nullptr, 1, 0, &value, nullptr) == VIX_STATUS_INVALID_ARG);
    CHECK(sum32(bytes(data), data.size(), 1, &value, nullptr) == 0 && value == 1u + 'a' + 'b' + 'c');

    // A failure leaves *out_value alone.
    std::int64_t v64 = -77;
    const std::string what = "runtime_error";
    rc = thrower(bytes(what), what.size(), &v64, &st);
    CHECK(rc == VIX_STATUS_ERROR && v64 == -77);
    const std::string nothing = "nothing";
    rc = thrower(bytes(nothing), nothing.size(), &v64, &st);
    CHECK(rc == 0 && v64 == 5);
}

template <class T>
void identity_round_trip(T x)
{
    T out{};
    vix_status st = fresh_status();
    const int rc = identity<T>(x, &out, &st);
    CHECK(rc == 0 && st.code == 0);
    if constexpr (std::is_same_v<T, double>) {
        CHECK(std::isnan(x) ? std::isnan(out) : out == x);
    } else {
        CHECK(out == x);
    }
    CHECK(identity<T>(x, nullptr, &st) == VIX_STATUS_INVALID_ARG);
}

template <class T>
void identity_limits()
{
    identity_round_trip<T>(std::numeric_limits<T>::lowest());
    identity_round_trip<T>(std::numeric_limits<T>::max());
    identity_round_trip<T>(T{});
}

void scalar_types()
{
    identity_limits<std::int32_t>();
    identity_limits<std::uint32_t>();
    identity_limits<std::int64_t>();
    identity_limits<std::uint64_t>();
    identity_limits<std::size_t>();
    identity_limits<double>();
    identity_round_trip<double>(std::numeric_limits<double>::quiet_NaN());
    identity_round_trip<double>(-std::numeric_limits<double>::infinity());
    identity_round_trip<bool>(true);
    identity_round_trip<bool>(false);
}

void no_result_checks()
{
    counter = 0;
    const std::string ok = "fine";
    const std::string four = "1234";
    vix_status st = fresh_status();
    int rc = bump(bytes(ok), ok.size(), bytes(four), four.size(), &st);
    CHECK(rc == 0 && st.code == 0 && counter == 4);

    // Each input is named; the first bad one is reported, before the body.
    rc = bump(nullptr, 2, bytes(four), four.size(), &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "a_ptr is NULL but a_len is 2");
    rc = bump(bytes(ok), ok.size(), nullptr, 5, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "b_ptr is NULL but b_len is 5");
    CHECK(counter == 4);

    rc = bump(nullptr, 0, nullptr, 0, nullptr);
    CHECK(rc == 0 && counter == 4);

    reset_calls = 0;
    st = fresh_status();
    CHECK(reset(&st) == 0 && st.code == 0 && reset_calls == 1);
    CHECK(reset(nullptr) == 0 && reset_calls == 2);
}

struct sized_outcome {
    int rc = 0;
    std::int32_t code = kSentinel;
    std::string message;
    std::size_t out_len = 0;
    std::string out;
    bool wrote_past_cap = false;
};

template <class Call>
sized_outcome with_buffer(std::size_t cap, Call call)
{
    std::vector<std::uint8_t> buf(cap + 16, kGuard);
    std::size_t out_len = 999999;
    vix_status st = fresh_status();
    sized_outcome o;
    o.rc = call(cap == 0 ? nullptr : buf.data(), cap, &out_len, &st);
    o.code = st.code;
    o.message = text_of(st.message);
    o.out_len = out_len;
    for (std::size_t i = cap; i < buf.size(); ++i) {
        o.wrote_past_cap = o.wrote_past_cap || buf[i] != kGuard;
    }
    o.out.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(cap));
    return o;
}

sized_outcome call_join(const std::string &a, const std::string &sep, const std::string &b, std::size_t cap)
{
    return with_buffer(cap, [&](std::uint8_t *p, std::size_t c, std::size_t *n, vix_status *st) {
        return join(bytes(a), a.size(), bytes(sep), sep.size(), bytes(b), b.size(), p, c, n, st);
    });
}

void sized_result_checks()
{
    write_calls = 0;
    // A size query: BUFFER_TOO_SMALL with the exact size, no work.
    sized_outcome o = call_join("ab", "--", "cde", 0);
    CHECK(o.rc == VIX_STATUS_BUFFER_TOO_SMALL && o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 7);
    CHECK_EQ_STR(o.message, "output buffer too small: 7 bytes needed, out_cap is 0");
    CHECK(write_calls == 0);

    // One byte short: nothing written at all.
    o = call_join("ab", "--", "cde", 6);
    CHECK(o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 7);
    CHECK(o.out == std::string(6, static_cast<char>(kGuard)) && !o.wrote_past_cap && write_calls == 0);

    o = call_join("ab", "--", "cde", 7);
    CHECK(o.rc == 0 && o.code == 0 && o.out_len == 7 && o.message.empty() && !o.wrote_past_cap);
    CHECK_EQ_STR(o.out, "ab--cde");
    CHECK(write_calls == 1);

    // A larger buffer: only the bytes of the result are written.
    o = call_join("ab", "", "c", 50);
    CHECK(o.rc == 0 && o.out_len == 3 && o.out.substr(0, 3) == "abc" && !o.wrote_past_cap);
    CHECK(o.out.substr(3) == std::string(47, static_cast<char>(kGuard)));

    o = call_join("", "", "", 0);
    CHECK(o.rc == 0 && o.out_len == 0);

    // Argument checks.
    std::uint8_t buf[8];
    std::size_t n = 77;
    vix_status st = fresh_status();
    const std::string a = "x";
    int rc = join(bytes(a), 1, bytes(a), 1, bytes(a), 1, buf, 8, nullptr, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "out_len is NULL");
    rc = join(bytes(a), 1, bytes(a), 1, bytes(a), 1, nullptr, 8, &n, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG && n == 0);
    CHECK_EQ_STR(text_of(st.message), "out_ptr is NULL but out_cap is 8");
    rc = join(bytes(a), 1, bytes(a), 1, bytes(a), 1, buf, SIZE_MAX, &n, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG && text_of(st.message).find("out_cap ") == 0);
    n = 77;
    rc = join(bytes(a), 1, nullptr, 4, bytes(a), 1, buf, 8, &n, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG && n == 0);
    CHECK_EQ_STR(text_of(st.message), "sep_ptr is NULL but sep_len is 4");

    // An input overlapping the output is refused; adjacent buffers are fine.
    std::uint8_t shared[16] = {'a', 'b', 'c', 'd'};
    rc = join(shared, 2, nullptr, 0, nullptr, 0, shared + 1, 8, &n, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG && text_of(st.message).find("overlap") != std::string::npos);
    rc = join(shared, 2, nullptr, 0, shared + 2, 2, shared + 4, 8, &n, &st);
    CHECK(rc == 0 && n == 4 && std::memcmp(shared + 4, "abcd", 4) == 0);

    // Exceptions in either callback.
    o = call_join("size_error", "", "", 64);
    CHECK(o.rc == VIX_STATUS_INVALID_ARG && o.out_len == 0);
    CHECK_EQ_STR(o.message, "std::domain_error: cannot size this");
    o = call_join("write_error", "", "", 64);
    CHECK(o.rc == VIX_STATUS_ERROR && o.out_len == 0);
    CHECK_EQ_STR(o.message, "std::runtime_error: cannot write this");

    // No input, a write step returning void.
    o = with_buffer(3, [](std::uint8_t *p, std::size_t c, std::size_t *len, vix_status *s) {
        return fill(3, p, c, len, s);
    });
    CHECK(o.rc == 0 && o.out_len == 3 && o.out == "zzz" && !o.wrote_past_cap);
    o = with_buffer(2, [](std::uint8_t *p, std::size_t c, std::size_t *len, vix_status *s) {
        return fill(3, p, c, len, s);
    });
    CHECK(o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 3 && !o.wrote_past_cap);

    o = with_buffer(4, liar);
    CHECK(o.code == VIX_STATUS_ERROR && o.out_len == 0);
    CHECK_EQ_STR(o.message, "internal error: operation reported 3 bytes written into a buffer of 2");
}

sized_outcome call_interleave(const std::string &a, const std::string &b, std::size_t cap)
{
    return with_buffer(cap, [&](std::uint8_t *p, std::size_t c, std::size_t *n, vix_status *st) {
        return interleave(bytes(a), a.size(), bytes(b), b.size(), p, c, n, st);
    });
}

void bytes_result_checks()
{
    work_calls = 0;
    sized_outcome o = call_interleave("ace", "bdfg", 0);
    CHECK(o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 7 && work_calls == 1);
    o = call_interleave("ace", "bdfg", 6);
    CHECK(o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 7 && !o.wrote_past_cap);
    CHECK(o.out == std::string(6, static_cast<char>(kGuard)));
    o = call_interleave("ace", "bdfg", 7);
    CHECK(o.rc == 0 && o.out_len == 7 && !o.wrote_past_cap);
    CHECK_EQ_STR(o.out, "abcdefg");
    o = call_interleave("", "", 0);
    CHECK(o.rc == 0 && o.out_len == 0);

    o = call_interleave("bad_alloc", "", 64);
    CHECK(o.rc == EXPECTED_BAD_ALLOC_CODE && o.code == EXPECTED_BAD_ALLOC_CODE && o.out_len == 0);
    CHECK_EQ_STR(o.message, "std::bad_alloc: out of memory");

    // Inputs may alias the output: the copy happens after the work.
    std::uint8_t shared[16] = {'1', '2', '3'};
    std::size_t n = 0;
    vix_status st = fresh_status();
    int rc = interleave(shared, 3, nullptr, 0, shared, 16, &n, &st);
    CHECK(rc == 0 && n == 3 && std::memcmp(shared, "123", 3) == 0);

    const std::string a = "x";
    rc = interleave(bytes(a), 1, nullptr, 1, shared, 16, &n, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "b_ptr is NULL but b_len is 1");
    rc = interleave(bytes(a), 1, nullptr, 0, shared, 16, nullptr, &st);
    CHECK(rc == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "out_len is NULL");
}

struct thrown {
    int rc;
    std::int32_t code;
    std::string message;
};

thrown throw_through_value(const std::string &what)
{
    std::int64_t value = -1;
    vix_status st = fresh_status();
    thrown t{};
    t.rc = thrower(bytes(what), what.size(), &value, &st);
    t.code = st.code;
    t.message = text_of(st.message);
    CHECK(value == -1); // written on success only
    return t;
}

thrown throw_through_none(const std::string &what)
{
    vix_status st = fresh_status();
    thrown t{};
    t.rc = bump(bytes(what), what.size(), nullptr, 0, &st);
    t.code = st.code;
    t.message = text_of(st.message);
    return t;
}

void exception_mapping()
{
    const std::string unknown = "unknown C++ exception (not derived from std::exception)";
    struct expected {
        const char *what;
        std::int32_t code;
        std::string message;
    };
    const expected table[] = {
        {"invalid_argument", VIX_STATUS_INVALID_ARG, "std::invalid_argument: level must be 1 to 9"},
        {"domain_error", VIX_STATUS_INVALID_ARG, "std::domain_error: sqrt of a negative number"},
        {"bad_level", VIX_STATUS_INVALID_ARG, "checks::bad_level: level 12"},
        {"out_of_range", VIX_STATUS_ERROR, "std::out_of_range: index 7 of 3"},
        {"runtime_error", VIX_STATUS_ERROR, "std::runtime_error: the disk is on fire"},
        {"length_error", VIX_STATUS_ERROR, "std::length_error"},
        {"parse_failure", VIX_STATUS_ERROR, "checks::parse_failure: unexpected '}' at offset 4"},
        {"bad_alloc", EXPECTED_BAD_ALLOC_CODE, "std::bad_alloc: out of memory"},
        {"array_new", EXPECTED_BAD_ALLOC_CODE, "std::bad_array_new_length: out of memory"},
        {"int", VIX_STATUS_ERROR, unknown},
        {"not_supported", VIX_STATUS_NOT_SUPPORTED, "no SIMD here"},
        {"ok_code", VIX_STATUS_ERROR, "not really ok"},
        {"library", 1001, "the result would exceed 1 MiB"},
        {"library_other", 4000, "other"},
        {"library_low", VIX_STATUS_ERROR,
         "library status code 7 is not one of the library's own (they start at 1000; 0 to 999 belong to the "
         "ABI): seven"},
        {"library_negative", VIX_STATUS_ERROR,
         "library status code -5 is not one of the library's own (they start at 1000; 0 to 999 belong to the "
         "ABI): minus five"},
    };
    for (const expected &e : table) {
        for (const thrown &t : {throw_through_value(e.what), throw_through_none(e.what)}) {
            if (t.rc != e.code || t.code != e.code || t.message != e.message) {
                std::printf("%s:%d: check failed: %s gave rc %d, code %d, \"%s\"; expected %d, \"%s\"\n", __FILE__,
                            __LINE__, e.what, t.rc, static_cast<int>(t.code), t.message.c_str(),
                            static_cast<int>(e.code), e.message.c_str());
                ++failures;
            }
        }
    }

    // Real allocation failures (AddressSanitizer aborts on them instead of throwing).
#ifndef TYPED_CHECK_SANITIZED
    thrown t = throw_through_value("operator_new");
    CHECK(t.code == EXPECTED_BAD_ALLOC_CODE);
    CHECK_EQ_STR(t.message, "std::bad_alloc: out of memory");
    t = throw_through_none("huge_alloc"); // std::vector::reserve of 2^62 bytes
    CHECK(t.code == EXPECTED_BAD_ALLOC_CODE);
    CHECK_EQ_STR(t.message, "std::bad_alloc: out of memory");
#else
    thrown t{};
#endif

    // Long messages are cut at a character boundary, the type first.
    t = throw_through_value("long");
    CHECK(t.code == VIX_STATUS_ERROR && t.message.size() <= vix::ffi::message_capacity);
    CHECK(t.message.find("std::runtime_error: \xc3\xa9") == 0);
    CHECK(t.message.compare(t.message.size() - 3, 3, "...") == 0);
    const std::string body = t.message.substr(20, t.message.size() - 23);
    CHECK(body.size() % 2 == 0);

    // The message outlives the exception: churn the heap, then read it again.
    std::int64_t v = 0;
    vix_status st = fresh_status();
    const std::string what = "parse_failure";
    thrower(bytes(what), what.size(), &v, &st);
    std::vector<std::string> churn;
    for (int i = 0; i < 1000; ++i) {
        churn.emplace_back(64, 'x');
    }
    CHECK_EQ_STR(text_of(st.message), "checks::parse_failure: unexpected '}' at offset 4");
    CHECK(st.message.ptr[st.message.len] == '\0');
}

void v1_0_mapping_is_unchanged()
{
    vix_status st = fresh_status();
    int rc = vix::ffi::guard(&st, [] { throw std::invalid_argument("still generic"); });
    CHECK(rc == VIX_STATUS_ERROR);
    CHECK_EQ_STR(text_of(st.message), "C++ exception: still generic");
    rc = vix::ffi::guard(&st, [] { throw std::bad_alloc(); });
    CHECK(rc == VIX_STATUS_ERROR);
    CHECK_EQ_STR(text_of(st.message), "out of memory: std::bad_alloc");
    // Library codes are the library's in every function, v1.0 helpers included.
    rc = vix::ffi::guard(&st, [] { throw vix::ffi::library_error(kTooLong, "too long"); });
    CHECK(rc == 1001 && st.code == 1001);
    CHECK_EQ_STR(text_of(st.message), "too long");
}

void fail_and_status_for_exception()
{
    vix_status st = fresh_status();
    int rc = vix::ffi::fail(&st, kTooLong, std::string("built at run time"));
    CHECK(rc == 1001 && st.code == 1001);
    CHECK_EQ_STR(text_of(st.message), "built at run time");
    CHECK(vix::ffi::fail(nullptr, kTooLong, "x") == 1001);
    volatile std::int32_t low = 42;
    rc = vix::ffi::fail(&st, vix::ffi::library_code(low), "low");
    CHECK(rc == VIX_STATUS_ERROR && st.code == VIX_STATUS_ERROR);
    CHECK(text_of(st.message).find("library status code 42 is not one of the library's own") == 0);
    // fail() with a message that already lives in the thread's buffer.
    const vix_str kept = vix::ffi::thread_message("kept text");
    rc = vix::ffi::fail(&st, vix::ffi::library_code(low), std::string_view(kept.ptr, kept.len));
    CHECK(text_of(st.message).find("library status code 42") == 0);
    CHECK(text_of(st.message).size() > 9 &&
          text_of(st.message).compare(text_of(st.message).size() - 9, 9, "kept text") == 0);

    try {
        throw std::domain_error("by hand");
    } catch (...) {
        st = vix::ffi::status_for_exception();
    }
    CHECK(st.code == VIX_STATUS_INVALID_ARG);
    CHECK_EQ_STR(text_of(st.message), "std::domain_error: by hand");

    CHECK(vix::ffi::library_code(1000).valid() && !vix::ffi::library_code(low).valid());
    static_assert(kTooLong.value() == 1001 && kTooLong.valid(), "constexpr library_code");
    static_assert(vix::ffi::bad_alloc_code == EXPECTED_BAD_ALLOC_CODE, "VIX_FFI_BAD_ALLOC_CODE");
}

void threads()
{
    std::vector<std::thread> pool;
    std::vector<int> bad(6, 0);
    for (int t = 0; t < 6; ++t) {
        pool.emplace_back([t, &bad] {
            for (int i = 0; i < 1000; ++i) {
                const std::string what = (i + t) % 2 == 0 ? "parse_failure" : "invalid_argument";
                std::int64_t v = 0;
                vix_status st;
                thrower(bytes(what), what.size(), &v, &st);
                const std::string want = what == "parse_failure" ? "checks::parse_failure: unexpected '}' at offset 4"
                                                                 : "std::invalid_argument: level must be 1 to 9";
                if (text_of(st.message) != want) {
                    ++bad[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (auto &th : pool) {
        th.join();
    }
    for (int b : bad) {
        CHECK(b == 0);
    }
}

} // namespace

// Entry points are noexcept whatever the callables are. (A named namespace: these are
// only named in unevaluated operands, which clang reports for internal functions.)
namespace unevaluated {

std::int32_t throwing_value(vix::ffi::byte_view) { throw 1; }
void throwing_void() { throw 1; }
std::string throwing_work(vix::ffi::byte_view) { throw 1; }
std::size_t throwing_size() { throw 1; }
void throwing_write(vix::ffi::byte_span) { throw 1; }
static_assert(noexcept(vix::ffi::value_result(static_cast<std::int32_t *>(nullptr), nullptr, throwing_value,
                                              vix::ffi::input{nullptr, 0, "x"})),
              "value_result() is noexcept");
static_assert(noexcept(vix::ffi::no_result(nullptr, throwing_void)), "no_result() is noexcept");
static_assert(noexcept(vix::ffi::bytes_result(vix::ffi::bytes_out{}, nullptr, throwing_work,
                                              vix::ffi::input{nullptr, 0, "x"})),
              "bytes_result() is noexcept");
static_assert(noexcept(vix::ffi::sized_result(vix::ffi::bytes_out{}, nullptr, throwing_size, throwing_write)),
              "sized_result() is noexcept");

} // namespace unevaluated

int main()
{
    value_result_checks();
    scalar_types();
    no_result_checks();
    sized_result_checks();
    bytes_result_checks();
    exception_mapping();
    v1_0_mapping_is_unchanged();
    fail_and_status_for_exception();
    threads();
    if (failures == 0) {
        std::printf("typed_check: all checks passed\n");
    }
    return failures == 0 ? 0 : 1;
}
