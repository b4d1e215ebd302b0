// TextTable: aligned columns for the terminal (hale status). A cell may carry a colour, used
// only when the table is rendered with colour on; widths never count escape codes.
#pragma once

#include <string>
#include <vector>

namespace hale::cli {

enum class Colour { kNone, kGreen, kYellow, kRed, kDim };

struct Cell {
  std::string text;
  Colour colour = Colour::kNone;
  Cell(std::string t = "", Colour c = Colour::kNone) : text(std::move(t)), colour(c) {}
  Cell(const char* t, Colour c = Colour::kNone) : text(t), colour(c) {}
};

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // Control characters in a cell are shown escaped (terminal_safe): a row can never move the
  // cursor or rewrite another.
  void add(std::vector<Cell> row);
  // Header and rows, two spaces between columns, no trailing blanks, each line ending in '\n'.
  std::string render(bool colour) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

// True when stdout is a terminal and NO_COLOR is unset (set to anything, even "": no colour).
bool use_colour();

}  // namespace hale::cli
