// Tables rendered three ways from the same rows: aligned for humans, tab
// separated without header (-H), or JSON (--json).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocell::cli {

enum class Format { Human, Scripted, Json };

struct Column {
  std::string header;  ///< "JID"
  std::string key;     ///< JSON key: "jid"
  bool numeric = false;  ///< JSON number when the cell parses as one
};

class Table {
 public:
  explicit Table(std::vector<Column> columns) : m_columns(std::move(columns)) {}
  void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
  size_t size() const { return m_rows.size(); }
  /// `json_key` is the top-level key of the JSON document ("jails").
  void render(std::ostream& out, Format fmt, const std::string& json_key) const;
  nlohmann::json to_json() const;

 private:
  std::vector<Column> m_columns;
  std::vector<std::vector<std::string>> m_rows;
};

/// A JSON value for a cell: a number when `numeric` and it parses, else text.
nlohmann::json json_cell(const std::string& text, bool numeric);

}  // namespace iocell::cli
