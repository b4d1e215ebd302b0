// The one list of error kinds (error_kind.h): read both ways, whose fault each is, and
// docs/config.md's "Error codes" table held to it row by row.
#include "hale/error_kind.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace hale {
namespace {

TEST(ErrorKinds, EveryWordReadsBackToItsKind) {
  std::set<std::string_view> words;
  for (const ErrorKindInfo& k : error_kinds()) {
    EXPECT_FALSE(k.word.empty());
    EXPECT_TRUE(words.insert(k.word).second) << "two kinds say " << k.word;
    EXPECT_EQ(to_string(k.kind), k.word);
    EXPECT_EQ(parse_error_kind(k.word), k.kind);
    EXPECT_EQ(fault_of(k.kind), k.fault);
    EXPECT_FALSE(k.meaning.empty()) << k.word;
  }
  EXPECT_EQ(to_string(ErrorKind::kNone), "");
  EXPECT_EQ(parse_error_kind(""), ErrorKind::kNone);
  EXPECT_EQ(parse_error_kind("grpc_code_42"), std::nullopt);
  EXPECT_EQ(parse_error_kind("Timeout"), std::nullopt);
}

TEST(ErrorKinds, OnlyAProbeHaleCouldNotMakeIsTheProbersFault) {
  std::set<std::string_view> prober;
  for (const ErrorKindInfo& k : error_kinds()) {
    if (k.fault == Fault::kProber) prober.insert(k.word);
  }
  EXPECT_EQ(prober, (std::set<std::string_view>{"spawn", "grpc_module_unavailable", "grpc_channel"}));
  EXPECT_EQ(fault_of(ErrorKind::kRefused), Fault::kTarget);
  EXPECT_EQ(fault_of(ErrorKind::kDrill), Fault::kHale);
  EXPECT_EQ(to_string(Fault::kProber), "prober");
}

TEST(ErrorKinds, TheDocsTableIsTheList) {
  std::ifstream in(std::string(HALE_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(in) << "docs/config.md";
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  const auto start = text.find("### Error codes");
  ASSERT_NE(start, std::string::npos);
  const std::string section = text.substr(start, text.find("\n## ", start) - start);
  std::set<std::string> documented;
  std::istringstream lines(section);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("| `") || line.starts_with("| `error_code`")) continue;  // rows, not the header
    const std::string word = line.substr(3, line.find('`', 3) - 3);
    documented.insert(word);
    const auto kind = parse_error_kind(word);
    ASSERT_TRUE(kind) << "docs/config.md lists `" << word << "`, which no error kind says";
    const ErrorKindInfo& info = error_kinds()[static_cast<std::size_t>(*kind) - 1];
    const std::string fault(to_string(info.fault));
    EXPECT_NE(line.find("| " + fault + " |"), std::string::npos) << word << " should be the " << fault << "'s fault";
    EXPECT_NE(line.find(std::string(info.meaning)), std::string::npos) << word << ": " << line;
  }
  for (const ErrorKindInfo& k : error_kinds()) {
    EXPECT_TRUE(documented.count(std::string(k.word))) << "`" << k.word << "` is missing from docs/config.md";
  }
}

}  // namespace
}  // namespace hale
