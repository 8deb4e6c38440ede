/*
 * base64_client.c - calls the example library through its C header only, as a C (or
 * C++) program linked against libbase64_ffi would. Prints "ok" and exits 0 when every
 * check holds; otherwise prints the first failed check and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include <base64/base64_ffi.h>

static int failures;

static void check(int condition, const char *what, int line)
{
    if (!condition && failures++ == 0) {
        printf("check failed at line %d: %s\n", line, what);
    }
}

#define CHECK(cond) check((cond) ? 1 : 0, #cond, __LINE__)

static int str_has(vix_str s, const char *needle)
{
    size_t n = strlen(needle);
    size_t i;
    for (i = 0; s.ptr != NULL && i + n <= s.len; i++) {
        if (memcmp(s.ptr + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A status full of garbage, to see that every call overwrites it. */
static vix_status garbage_status(void)
{
    vix_status st;
    st.code = -77;
    st.message.ptr = "garbage";
    st.message.len = 7;
    return st;
}

int main(void)
{
    static const uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
    static const uint8_t bad[] = {'a', 'G', 'V', '$', 'b', 'G', '8', '='};
    static const uint8_t encoded[] = {'a', 'G', 'V', 's', 'b', 'G', '8', '='};
    uint8_t out[16];
    size_t out_len = 12345;
    vix_status st = garbage_status();
    vix_str version;
    int rc;

    version = base64_ffi_version(&st);
    CHECK(st.code == VIX_STATUS_OK && st.message.len == 0);
    CHECK(version.ptr != NULL && version.len > 0);

    /* Size query. */
    st = garbage_status();
    rc = base64_encode(hello, sizeof hello, NULL, 0, &out_len, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_BUFFER_TOO_SMALL && out_len == 8);
    CHECK(st.message.len > 0);

    /* One byte short: refused, nothing written. */
    memset(out, 0xAB, sizeof out);
    rc = base64_encode(hello, sizeof hello, out, 7, &out_len, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_BUFFER_TOO_SMALL && out_len == 8);
    CHECK(out[0] == 0xAB && out[6] == 0xAB);

    /* Exact fit, and nothing past it. */
    st = garbage_status();
    rc = base64_encode(hello, sizeof hello, out, 8, &out_len, &st);
    CHECK(rc == 0 && st.code == VIX_STATUS_OK && out_len == 8);
    CHECK(memcmp(out, "aGVsbG8=", 8) == 0 && out[8] == 0xAB);

    /* Empty input with NULL pointers. */
    out_len = 99;
    rc = base64_encode(NULL, 0, NULL, 0, &out_len, &st);
    CHECK(rc == 0 && out_len == 0 && st.code == VIX_STATUS_OK);

    /* Decode. */
    rc = base64_decode(encoded, sizeof encoded, out, sizeof out, &out_len, &st);
    CHECK(rc == 0 && out_len == 5 && memcmp(out, "hello", 5) == 0);
    rc = base64_decode(encoded, sizeof encoded, NULL, 0, &out_len, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_BUFFER_TOO_SMALL && out_len == 5);
    rc = base64_decode(bad, sizeof bad, out, sizeof out, &out_len, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_INVALID_ARG && str_has(st.message, "offset 3"));
    rc = base64_decode(bad, 7, out, sizeof out, &out_len, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_INVALID_ARG);

    /* Argument checks. */
    st = garbage_status();
    rc = base64_encode(hello, sizeof hello, out, sizeof out, NULL, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_INVALID_ARG);
    rc = base64_encode(NULL, 3, out, sizeof out, &out_len, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_INVALID_ARG);
    rc = base64_encode(hello, sizeof hello, NULL, 8, &out_len, &st);
    CHECK(rc != 0 && st.code == VIX_STATUS_INVALID_ARG);

    /* A NULL status is allowed; the return code still tells. */
    rc = base64_encode(hello, sizeof hello, NULL, 0, &out_len, NULL);
    CHECK(rc != 0 && out_len == 8);

    if (failures == 0) {
        printf("ok\n");
    }
    return failures == 0 ? 0 : 1;
}
