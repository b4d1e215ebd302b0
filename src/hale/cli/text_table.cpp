// TextTable rendering and the colour decision.
#include "hale/cli/text_table.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "hale/text/terminal_text.h"

namespace hale::cli {

namespace {

const char* escape(Colour c) {
  switch (c) {
    case Colour::kGreen: return "\033[32m";
    case Colour::kYellow: return "\033[33m";
    case Colour::kRed: return "\033[31m";
    case Colour::kDim: return "\033[2m";
    case Colour::kNone: return "";
  }
  return "";
}

void rstrip(std::string& s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
}

}  // namespace

void TextTable::add(std::vector<Cell> row) {
  for (Cell& c : row) c.text = terminal_safe(c.text);
  rows_.push_back(std::move(row));
}

std::string TextTable::render(bool colour) const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].text.size());
  }
  std::string out;
  std::string line;
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    line += headers_[i];
    if (i + 1 < headers_.size()) line += std::string(width[i] - headers_[i].size() + 2, ' ');
  }
  rstrip(line);
  out += colour ? "\033[1m" + line + "\033[0m\n" : line + "\n";
  for (const auto& row : rows_) {
    line.clear();
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      const Cell& c = row[i];
      if (colour && c.colour != Colour::kNone && !c.text.empty()) {
        line += escape(c.colour) + c.text + "\033[0m";
      } else {
        line += c.text;
      }
      if (i + 1 < row.size()) line += std::string(width[i] - c.text.size() + 2, ' ');
    }
    rstrip(line);
    out += line + "\n";
  }
  return out;
}

bool use_colour() {
  if (std::getenv("NO_COLOR") != nullptr) return false;
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace hale::cli
