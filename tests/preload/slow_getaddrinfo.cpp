// LD_PRELOAD shim for tests: getaddrinfo() of any name ending in ".slow.test" sleeps 5 s (or
// SLOW_GETADDRINFO_SECONDS) and then fails, like a DNS server that does not answer. Every other
// name goes to libc.
#include <dlfcn.h>
#include <netdb.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

extern "C" int getaddrinfo(const char* node, const char* service, const struct addrinfo* hints,
                           struct addrinfo** res) {
  using Real = int (*)(const char*, const char*, const struct addrinfo*, struct addrinfo**);
  static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "getaddrinfo"));
  const char* suffix = ".slow.test";
  if (node && std::strlen(node) > std::strlen(suffix) &&
      std::strcmp(node + std::strlen(node) - std::strlen(suffix), suffix) == 0) {
    const char* seconds = std::getenv("SLOW_GETADDRINFO_SECONDS");
    sleep(seconds ? static_cast<unsigned>(std::atoi(seconds)) : 5u);
    return EAI_AGAIN;
  }
  return real(node, service, hints, res);
}
