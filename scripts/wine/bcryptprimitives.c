/*
 * Stand-in for bcryptprimitives.dll, which Wine 8.0 does not ship.
 *
 * deno.exe (through Rust's standard library) imports ProcessPrng from bcryptprimitives.dll, so
 * Windows' loader refuses to start it when the DLL is missing. Wine does have RtlGenRandom,
 * exported by advapi32 as SystemFunction036, which fills a buffer with random bytes just as
 * ProcessPrng does; this DLL only forwards to it. It is built for the Wine test run alone
 * (scripts/wine_env.ts), placed beside a patched copy of deno.exe, and never ships.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll bcryptprimitives.c
 *        bcryptprimitives.def -ladvapi32
 */
#include <windows.h>
/* Declares RtlGenRandom, a macro for advapi32's SystemFunction036. */
#include <ntsecapi.h>

/*
 * ProcessPrng takes a SIZE_T length but RtlGenRandom a ULONG, so a request past 4 GiB is split
 * rather than silently truncated.
 */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
