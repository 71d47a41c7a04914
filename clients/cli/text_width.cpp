#include "text_width.h"

#include <algorithm>
#include <cstdint>

namespace kartiba::cli {
namespace {

struct Range {
  uint32_t first, last;
};

// Combining marks and zero-width characters (the common blocks).
const Range kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
    {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

// East Asian Wide (W) and Fullwidth (F), and emoji presentation blocks.
const Range kWide[] = {
    {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC}, {0x23F0, 0x23F0},
    {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615}, {0x2648, 0x2653}, {0x267F, 0x267F},
    {0x2693, 0x2693}, {0x26A1, 0x26A1}, {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5},
    {0x26CE, 0x26CE}, {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
    {0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728},
    {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797},
    {0x27B0, 0x27B0}, {0x27BF, 0x27BF}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
    {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
    {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4}, {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
    {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

bool in(const Range* begin, const Range* end, uint32_t cp) {
  auto it = std::upper_bound(begin, end, cp, [](uint32_t v, const Range& r) { return v < r.first; });
  return it != begin && cp <= (it - 1)->last;
}

// Decodes one code point; `n` receives the bytes it took (1 for an invalid byte, cp = U+FFFD).
uint32_t decode(std::string_view s, size_t i, size_t& n) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    n = 1;
    return 0xFFFD;
  }
  if (n == 1) return c;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      n = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  return cp;
}

size_t cp_width(uint32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
  if (in(std::begin(kZeroWidth), std::end(kZeroWidth), cp)) return 0;
  if (in(std::begin(kWide), std::end(kWide), cp)) return 2;
  return 1;
}

}  // namespace

size_t display_width(std::string_view text) {
  size_t w = 0;
  for (size_t i = 0, n; i < text.size(); i += n) w += cp_width(decode(text, i, n));
  return w;
}

std::string truncate_to_width(std::string_view text, size_t columns) {
  if (display_width(text) <= columns) return std::string(text);
  if (columns == 0) return {};
  std::string out;
  size_t w = 0;
  for (size_t i = 0, n; i < text.size(); i += n) {
    size_t cw = cp_width(decode(text, i, n));
    if (w + cw > columns - 1) break;  // keep one column for "…"
    out.append(text.substr(i, n));
    w += cw;
  }
  return out + "…";
}

std::string pad_to_width(std::string_view text, size_t columns) {
  std::string out(text);
  size_t w = display_width(text);
  if (w < columns) out.append(columns - w, ' ');
  return out;
}

std::string format_table(const std::vector<std::vector<std::string>>& rows, size_t max_width,
                         const std::vector<size_t>& flexible) {
  size_t ncols = 0;
  for (auto& r : rows) ncols = std::max(ncols, r.size());
  std::vector<size_t> widths(ncols, 0);
  for (auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) widths[c] = std::max(widths[c], display_width(r[c]));
  if (max_width > 0 && ncols > 0) {
    auto total = [&] {
      size_t t = 2 * (ncols - 1);
      for (auto w : widths) t += w;
      return t;
    };
    // Shrink the widest flexible column one step at a time, never below 8 columns.
    std::vector<size_t> candidates = flexible;
    if (candidates.empty())
      for (size_t c = 0; c < ncols; ++c) candidates.push_back(c);
    while (total() > max_width) {
      size_t widest = ncols;
      for (size_t c : candidates)
        if (c < ncols && (widest == ncols || widths[c] > widths[widest])) widest = c;
      if (widest == ncols || widths[widest] <= 8) break;
      --widths[widest];
    }
  }
  std::string out;
  for (auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      std::string cell = truncate_to_width(r[c], widths[c]);
      if (c + 1 < r.size()) line += pad_to_width(cell, widths[c]) + "  ";
      else line += cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace kartiba::cli
