/*
 * bcryptprimitives.dll for Wine 8.0, which has none. Rust's standard library
 * (and so deno.exe) imports ProcessPrng from it for random bytes; this fills
 * the buffer from RtlGenRandom, which Wine does have. Built with mingw into
 * the Wine prefix only: no system file and not deno.exe is changed.
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
  while (size > 0) {
    ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    size -= chunk;
  }
  return TRUE;
}
