// Internal: tokens and syntax tree of the peer's SOQL subset (see soql.h), and the parser.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "soql.h"

namespace chpeer::sf::soql {

enum class LiteralKind { kString = 1, kNumber, kBool, kNull, kDate, kDateTime, kDateRange };

struct Literal {
  LiteralKind kind = LiteralKind::kNull;
  std::string text;  // string/date/datetime text as written (strings unescaped)
  double number = 0;
  bool boolean = false;
  std::string range_name;  // TODAY, LAST_N_DAYS, ...
  int range_n = 0;
  int column = 0;
};

enum class CondKind { kCompare = 1, kIn, kNotIn, kLike, kAnd, kOr, kNot };

struct Condition {
  CondKind kind = CondKind::kCompare;
  std::string field;
  int field_column = 0;
  std::string op;  // for kCompare
  std::vector<Literal> values;
  std::vector<std::unique_ptr<Condition>> children;
};

struct OrderItem {
  std::string field;
  int column = 0;
  bool descending = false;
  std::optional<bool> nulls_first;
};

struct SelectItem {
  std::string path;  // "Name" or "Account.Name"
  int column = 0;
};

struct ParsedQuery {
  bool count_only = false;
  std::vector<SelectItem> fields;
  std::string object;
  int object_column = 0;
  std::unique_ptr<Condition> where;
  std::vector<OrderItem> order_by;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
};

// Formats an error the way Salesforce does: the query, a caret under the column, the row and
// column, then the message.
SoqlError MakeError(std::string_view code, std::string_view soql, int column,
                    std::string_view message);

std::variant<ParsedQuery, SoqlError> Parse(std::string_view soql);

}  // namespace chpeer::sf::soql
