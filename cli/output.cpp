#include "output.hpp"

#include <algorithm>
#include <cstdlib>

namespace iocell::cli {

nlohmann::json json_cell(const std::string& text, bool numeric) {
  if (numeric && !text.empty()) {
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (end && *end == '\0') return n;
    double d = std::strtod(text.c_str(), &end);
    if (end && *end == '\0') return d;
    if (text == "-" || text == "none") return nullptr;
    // Ratios as storage tools print them: "1.52x".
    if (text.size() > 1 && text.back() == 'x') {
      d = std::strtod(text.c_str(), &end);
      if (end && *end == 'x' && end[1] == '\0') return d;
    }
  }
  return text;
}

nlohmann::json Table::to_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& row : m_rows) {
    nlohmann::json obj = nlohmann::json::object();
    for (size_t i = 0; i < m_columns.size() && i < row.size(); ++i) obj[m_columns[i].key] = json_cell(row[i], m_columns[i].numeric);
    arr.push_back(std::move(obj));
  }
  return arr;
}

void Table::render(std::ostream& out, Format fmt, const std::string& json_key) const {
  if (fmt == Format::Json) {
    nlohmann::json doc;
    doc[json_key] = to_json();
    out << doc.dump(2) << "\n";
    return;
  }
  if (fmt == Format::Scripted) {
    for (const auto& row : m_rows) {
      for (size_t i = 0; i < row.size(); ++i) out << (i ? "\t" : "") << row[i];
      out << "\n";
    }
    return;
  }
  std::vector<size_t> width(m_columns.size());
  for (size_t i = 0; i < m_columns.size(); ++i) width[i] = m_columns[i].header.size();
  for (const auto& row : m_rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    out << s << "\n";
  };
  std::vector<std::string> headers;
  for (const auto& c : m_columns) headers.push_back(c.header);
  line(headers);
  for (const auto& row : m_rows) line(row);
}

}  // namespace iocell::cli
