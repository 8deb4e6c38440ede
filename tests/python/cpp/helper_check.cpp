// helper_check.cpp - unit checks of include/vix/ffi/vix_ffi.hpp, compiled and run by
// test_cpp_helper.py with -std=c++17 and every warning as an error (and once more under
// AddressSanitizer and UndefinedBehaviorSanitizer, which would catch a message pointing at
// a destroyed exception). Prints one line per failed check; exits 1 if any failed.
#include <vix/ffi/vix_ffi.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

int failures = 0;

#define CHECK(cond)                                                                                                   \
    do {                                                                                                              \
        if (!(cond)) {                                                                                                \
            std::printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                     \
            ++failures;                                                                                               \
        }                                                                                                             \
    } while (0)

constexpr std::uint8_t kGuard = 0xA5;
constexpr std::int32_t kSentinel = -12345;

std::string text_of(const vix_str &s) { return s.len == 0 ? std::string() : std::string(s.ptr, s.len); }

struct outcome {
    int rc = 0;
    std::int32_t code = kSentinel;
    std::string message;
    std::size_t out_len = 0;
    std::vector<std::uint8_t> out; // the first `cap` bytes of the buffer
    bool wrote_past_cap = false;
};

// Runs `op` on `input` with a buffer of `cap` bytes followed by guard bytes.
template <class Op>
outcome call(Op op, const std::string &input, std::size_t cap)
{
    std::vector<std::uint8_t> buf(cap + 16, kGuard);
    std::size_t out_len = 999999;
    vix_status st;
    st.code = kSentinel;
    st.message.ptr = "sentinel";
    st.message.len = 8;
    outcome o;
    const auto *in = reinterpret_cast<const std::uint8_t *>(input.data());
    o.rc = op(vix::ffi::op_args{input.empty() ? nullptr : in, input.size(), cap == 0 ? nullptr : buf.data(), cap,
                                &out_len, &st});
    o.code = st.code;
    o.message = text_of(st.message);
    o.out_len = out_len;
    for (std::size_t i = cap; i < buf.size(); ++i) {
        o.wrote_past_cap = o.wrote_past_cap || buf[i] != kGuard;
    }
    buf.resize(cap);
    o.out = buf;
    return o;
}

int write_calls = 0;

// Doubles every byte; counts the calls of its write step.
int doubler(const vix::ffi::op_args &a) noexcept
{
    return vix::ffi::sized(
        a, [](vix::ffi::byte_view in) { return in.size() * 2; },
        [](vix::ffi::byte_view in, vix::ffi::byte_span out) {
            ++write_calls;
            for (std::size_t i = 0; i < in.size(); ++i) {
                out[2 * i] = in[i];
                out[2 * i + 1] = in[i];
            }
            return in.size() * 2;
        });
}

// Throws what the input names, from the write step.
int thrower(const vix::ffi::op_args &a) noexcept
{
    return vix::ffi::sized(
        a, [](vix::ffi::byte_view) { return std::size_t{4}; },
        [](vix::ffi::byte_view in, vix::ffi::byte_span) -> std::size_t {
            const std::string what(in.chars());
            if (what == "runtime") {
                throw std::runtime_error(std::string("boom ") + std::to_string(in.size()));
            }
            if (what == "bad_alloc") {
                throw std::bad_alloc();
            }
            if (what == "int") {
                throw 3;
            }
            if (what == "invalid") {
                throw vix::ffi::invalid_arg("bad input at offset 2");
            }
            if (what == "ok_code") {
                throw vix::ffi::error(VIX_STATUS_OK, "not really ok");
            }
            if (what == "long") {
                std::string text;
                for (int i = 0; i < 3000; ++i) {
                    text += "\xc3\xa9";
                }
                throw std::runtime_error(text);
            }
            return 0;
        });
}

int liar(const vix::ffi::op_args &a) noexcept
{
    return vix::ffi::sized(
        a, [](vix::ffi::byte_view) { return std::size_t{2}; },
        [](vix::ffi::byte_view, vix::ffi::byte_span) { return std::size_t{3}; });
}

int filler(const vix::ffi::op_args &a) noexcept // write step returning void
{
    return vix::ffi::sized(
        a, [](vix::ffi::byte_view in) { return in.size(); },
        [](vix::ffi::byte_view, vix::ffi::byte_span out) {
            for (auto &b : out) {
                b = 'z';
            }
        });
}

int reverser(const vix::ffi::op_args &a) noexcept
{
    return vix::ffi::with_result(a, [](vix::ffi::byte_view in) {
        if (in.chars() == "throw") {
            throw std::runtime_error("reverser failed");
        }
        return std::string(in.chars().rbegin(), in.chars().rend());
    });
}

bool valid_utf8(const std::string &s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
                return false;
            }
        }
        i += n;
    }
    return true;
}

void sizing()
{
    write_calls = 0;
    outcome o = call(doubler, "abc", 0);
    CHECK(o.rc == 3 && o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 6);
    CHECK(o.message == "output buffer too small: 6 bytes needed, out_cap is 0");

    o = call(doubler, "abc", 5);
    CHECK(o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 6);
    CHECK(o.out == std::vector<std::uint8_t>(5, kGuard)); // nothing written
    CHECK(write_calls == 0);                              // no work done
    CHECK(!o.wrote_past_cap);

    o = call(doubler, "abc", 6);
    CHECK(o.rc == 0 && o.code == VIX_STATUS_OK && o.out_len == 6 && o.message.empty());
    CHECK(std::string(o.out.begin(), o.out.end()) == "aabbcc");
    CHECK(write_calls == 1 && !o.wrote_past_cap);

    o = call(doubler, "abc", 100);
    CHECK(o.rc == 0 && o.out_len == 6 && !o.wrote_past_cap);

    o = call(doubler, "", 0);
    CHECK(o.rc == 0 && o.code == VIX_STATUS_OK && o.out_len == 0);

    o = call(filler, "xyz", 3);
    CHECK(o.rc == 0 && o.out_len == 3 && std::string(o.out.begin(), o.out.end()) == "zzz");

    o = call(liar, "x", 2);
    CHECK(o.code == VIX_STATUS_ERROR && o.out_len == 0);
    CHECK(o.message == "internal error: operation reported 3 bytes written into a buffer of 2");
}

void argument_checks()
{
    std::uint8_t buf[8] = {};
    std::size_t out_len = 77;
    vix_status st;

    st.code = kSentinel;
    int rc = doubler({reinterpret_cast<const std::uint8_t *>("a"), 1, buf, 8, nullptr, &st});
    CHECK(rc == 2 && st.code == VIX_STATUS_INVALID_ARG && text_of(st.message) == "out_len is NULL");

    rc = doubler({nullptr, 4, buf, 8, &out_len, &st});
    CHECK(rc == 2 && out_len == 0 && text_of(st.message) == "in_ptr is NULL but in_len is 4");

    out_len = 77;
    rc = doubler({reinterpret_cast<const std::uint8_t *>("a"), 1, nullptr, 8, &out_len, &st});
    CHECK(rc == 2 && out_len == 0 && text_of(st.message) == "out_ptr is NULL but out_cap is 8");

    rc = doubler({reinterpret_cast<const std::uint8_t *>("a"), SIZE_MAX, buf, 8, &out_len, &st});
    CHECK(rc == 2 && text_of(st.message).find("exceeds the largest possible buffer") != std::string::npos);

    rc = doubler({reinterpret_cast<const std::uint8_t *>("a"), 1, buf, SIZE_MAX, &out_len, &st});
    CHECK(rc == 2 && text_of(st.message).find("out_cap") == 0);

    std::uint8_t shared[8] = {'a', 'b'};
    rc = doubler({shared, 2, shared + 1, 7, &out_len, &st});
    CHECK(rc == 2 && text_of(st.message).find("overlap") != std::string::npos);
    rc = doubler({shared, 2, shared + 2, 6, &out_len, &st}); // adjacent, not overlapping
    CHECK(rc == 0 && out_len == 4);

    // No status pointer: the return value still carries the code.
    rc = doubler({reinterpret_cast<const std::uint8_t *>("abc"), 3, nullptr, 0, &out_len, nullptr});
    CHECK(rc == VIX_STATUS_BUFFER_TOO_SMALL && out_len == 6);
    rc = thrower({reinterpret_cast<const std::uint8_t *>("int"), 3, buf, 8, &out_len, nullptr});
    CHECK(rc == VIX_STATUS_ERROR);
}

void exceptions()
{
    outcome o = call(thrower, "runtime", 4);
    CHECK(o.rc == 1 && o.code == VIX_STATUS_ERROR && o.message == "C++ exception: boom 7");
    CHECK(o.out_len == 0);

    // The exception is gone; churn the heap where it lived, then read the message again.
    {
        vix_status st;
        std::size_t n = 0;
        thrower({reinterpret_cast<const std::uint8_t *>("runtime"), 7, nullptr, 0, &n, &st});
        // cap 0 < 4: too small, so run it with room.
        std::uint8_t buf[4];
        thrower({reinterpret_cast<const std::uint8_t *>("runtime"), 7, buf, 4, &n, &st});
        std::vector<std::string> churn;
        for (int i = 0; i < 1000; ++i) {
            churn.emplace_back(64, 'x');
        }
        CHECK(text_of(st.message) == "C++ exception: boom 7");
        CHECK(st.message.ptr[st.message.len] == '\0');
    }

    o = call(thrower, "bad_alloc", 4);
    CHECK(o.code == VIX_STATUS_ERROR && o.message == "out of memory: std::bad_alloc");

    o = call(thrower, "int", 4);
    CHECK(o.code == VIX_STATUS_ERROR && o.message == "unknown C++ exception (not derived from std::exception)");

    o = call(thrower, "invalid", 4);
    CHECK(o.rc == 2 && o.code == VIX_STATUS_INVALID_ARG && o.message == "bad input at offset 2");

    o = call(thrower, "ok_code", 4);
    CHECK(o.rc == 1 && o.code == VIX_STATUS_ERROR && o.message == "not really ok");

    o = call(thrower, "long", 4);
    CHECK(o.code == VIX_STATUS_ERROR);
    CHECK(o.message.size() <= vix::ffi::message_capacity);
    CHECK(o.message.size() > vix::ffi::message_capacity - 8);
    CHECK(o.message.compare(o.message.size() - 3, 3, "...") == 0);
    CHECK(valid_utf8(o.message));

    // A message stays valid for the next call that stores none.
    o = call(thrower, "int", 4);
    std::uint8_t buf[8];
    std::size_t n = 0;
    vix_status failed;
    thrower({reinterpret_cast<const std::uint8_t *>("invalid"), 7, buf, 8, &n, &failed});
    vix_status fine;
    doubler({reinterpret_cast<const std::uint8_t *>("a"), 1, buf, 8, &n, &fine});
    CHECK(fine.code == 0 && fine.message.ptr == nullptr && fine.message.len == 0);
    CHECK(text_of(failed.message) == "bad input at offset 2");
}

void with_result_checks()
{
    outcome o = call(reverser, "abcd", 0);
    CHECK(o.code == VIX_STATUS_BUFFER_TOO_SMALL && o.out_len == 4);
    o = call(reverser, "abcd", 4);
    CHECK(o.rc == 0 && o.out_len == 4 && std::string(o.out.begin(), o.out.end()) == "dcba" && !o.wrote_past_cap);
    o = call(reverser, "throw", 16);
    CHECK(o.code == VIX_STATUS_ERROR && o.message == "C++ exception: reverser failed" && o.out_len == 0);
}

void version_and_guard()
{
    vix_status st;
    st.code = kSentinel;
    const vix_str v = vix::ffi::version(&st, "1.2.3");
    CHECK(text_of(v) == "1.2.3" && st.code == VIX_STATUS_OK && st.message.ptr == nullptr);
    CHECK(text_of(vix::ffi::version(nullptr, "x")) == "x");

    int value = 0;
    int rc = vix::ffi::guard(&st, [&value] { value = 5; });
    CHECK(rc == 0 && st.code == VIX_STATUS_OK && value == 5);
    rc = vix::ffi::guard(&st, [] { throw std::bad_alloc(); });
    CHECK(rc == 1 && text_of(st.message) == "out of memory: std::bad_alloc");
    rc = vix::ffi::guard(&st, [] { throw vix::ffi::not_supported("no SIMD here"); });
    CHECK(rc == VIX_STATUS_NOT_SUPPORTED && text_of(st.message) == "no SIMD here");
    rc = vix::ffi::guard(nullptr, [] { throw 1.5; });
    CHECK(rc == 1);

    vix::ffi::write_status(&st, VIX_STATUS_INVALID_ARG, std::string("built at run time"));
    CHECK(st.code == 2 && text_of(st.message) == "built at run time");
    vix::ffi::write_status(&st, VIX_STATUS_OK, "");
    CHECK(st.code == 0 && st.message.ptr == nullptr);

    // Storing a message that already lives in the buffer.
    const vix_str first = vix::ffi::thread_message("same place");
    const vix_str again = vix::ffi::thread_message(std::string_view(first.ptr, first.len));
    CHECK(text_of(again) == "same place");
}

void threads()
{
    // Each thread keeps its own message: another thread storing one does not touch it.
    vix_status here;
    std::size_t n = 0;
    std::uint8_t buf[8];
    thrower({reinterpret_cast<const std::uint8_t *>("runtime"), 7, buf, 8, &n, &here});
    std::string there;
    std::thread other([&there] {
        vix_status st;
        std::size_t m = 0;
        std::uint8_t b[8];
        thrower({reinterpret_cast<const std::uint8_t *>("invalid"), 7, b, 8, &m, &st});
        there = text_of(st.message);
    });
    other.join();
    CHECK(there == "bad input at offset 2");
    CHECK(text_of(here.message) == "C++ exception: boom 7");

    std::vector<std::thread> pool;
    std::vector<int> bad(8, 0);
    for (int t = 0; t < 8; ++t) {
        pool.emplace_back([t, &bad] {
            for (int i = 0; i < 2000; ++i) {
                const std::string input = (i + t) % 2 == 0 ? "runtime" : "invalid";
                vix_status st;
                std::size_t m = 0;
                std::uint8_t b[8];
                thrower({reinterpret_cast<const std::uint8_t *>(input.data()), input.size(), b, 8, &m, &st});
                const std::string want = input == "runtime" ? "C++ exception: boom 7" : "bad input at offset 2";
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

// Entry points are noexcept whatever the callables are.
void throwing_body() { throw 1; }
std::string result_body(vix::ffi::byte_view) { return std::string(); }
static_assert(noexcept(doubler(vix::ffi::op_args{})), "sized() is noexcept");
static_assert(noexcept(vix::ffi::guard(nullptr, throwing_body)), "guard() is noexcept");
static_assert(noexcept(vix::ffi::with_result(vix::ffi::op_args{}, result_body)), "with_result() is noexcept");

} // namespace

int main()
{
    sizing();
    argument_checks();
    exceptions();
    with_result_checks();
    version_and_guard();
    threads();
    if (failures == 0) {
        std::printf("helper_check: all checks passed\n");
    }
    return failures == 0 ? 0 : 1;
}
