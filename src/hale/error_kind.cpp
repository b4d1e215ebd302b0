// The error kinds (see error_kind.h): one table, read both ways.
#include "hale/error_kind.h"

#include <array>

namespace hale {

namespace {

constexpr ErrorKindInfo kKinds[] = {
#define HALE_ERROR_KIND_INFO(e, word, fault, meaning) {ErrorKind::e, word, Fault::fault, meaning},
    HALE_ERROR_KINDS(HALE_ERROR_KIND_INFO)
#undef HALE_ERROR_KIND_INFO
};

// kKinds[i] is ErrorKind(i + 1): the enum and the table come from the same list.
constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < std::size(kKinds); ++i) {
    if (static_cast<std::size_t>(kKinds[i].kind) != i + 1) return false;
  }
  return true;
}
static_assert(in_enum_order());

const ErrorKindInfo* info(ErrorKind k) {
  const auto i = static_cast<std::size_t>(k);
  return i == 0 || i > std::size(kKinds) ? nullptr : &kKinds[i - 1];
}

}  // namespace

std::span<const ErrorKindInfo> error_kinds() { return kKinds; }

std::string_view to_string(ErrorKind k) {
  const ErrorKindInfo* i = info(k);
  return i ? i->word : std::string_view{};
}

std::string_view to_string(Fault f) {
  switch (f) {
    case Fault::kTarget: return "target";
    case Fault::kProber: return "prober";
    case Fault::kHale: return "hale";
  }
  return "target";
}

std::optional<ErrorKind> parse_error_kind(std::string_view word) {
  if (word.empty()) return ErrorKind::kNone;
  for (const ErrorKindInfo& i : kKinds) {
    if (i.word == word) return i.kind;
  }
  return std::nullopt;
}

Fault fault_of(ErrorKind k) {
  const ErrorKindInfo* i = info(k);
  return i ? i->fault : Fault::kTarget;
}

}  // namespace hale
