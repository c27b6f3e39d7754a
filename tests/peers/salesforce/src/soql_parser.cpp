// Tokenizer and recursive-descent parser for the peer's SOQL subset.
#include "soql_parser.h"

#include <cctype>
#include <charconv>
#include <optional>

#include "chpeer/http_types.h"

namespace chpeer::sf::soql {
namespace {

enum class TokKind { kIdent = 1, kString, kNumber, kDateTime, kDate, kOp, kPunct, kEnd };

struct Token {
  TokKind kind = TokKind::kEnd;
  std::string text;
  int column = 0;  // 1-based
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// Matches YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm|+hhmm) at `pos`.
std::size_t MatchDateOrDateTime(std::string_view s, std::size_t pos, bool* is_datetime) {
  auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > s.size()) return false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[at + i]))) return false;
    }
    return true;
  };
  if (!digits(pos, 4) || pos + 10 > s.size() || s[pos + 4] != '-' || !digits(pos + 5, 2) ||
      s[pos + 7] != '-' || !digits(pos + 8, 2)) {
    return 0;
  }
  std::size_t end = pos + 10;
  *is_datetime = false;
  if (end < s.size() && s[end] == 'T') {
    if (!digits(end + 1, 2) || end + 9 > s.size() || s[end + 3] != ':' || !digits(end + 4, 2) ||
        s[end + 6] != ':' || !digits(end + 7, 2)) {
      return 0;
    }
    end += 9;
    if (end < s.size() && s[end] == '.') {
      ++end;
      while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
    }
    if (end < s.size() && s[end] == 'Z') {
      ++end;
    } else if (end < s.size() && (s[end] == '+' || s[end] == '-')) {
      ++end;
      while (end < s.size() &&
             (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == ':')) {
        ++end;
      }
    } else {
      return 0;
    }
    *is_datetime = true;
  }
  return end - pos;
}

class Parser {
 public:
  explicit Parser(std::string_view soql) : soql_(soql) {}

  std::variant<ParsedQuery, SoqlError> Run() {
    if (auto err = Tokenize()) return *err;
    ParsedQuery q;
    if (!Keyword("SELECT")) return Unexpected();
    if (Peek().kind == TokKind::kIdent && Upper(Peek().text) == "COUNT" && PeekAt(1).text == "(") {
      pos_ += 2;
      if (Peek().text != ")") return Unexpected();
      ++pos_;
      q.count_only = true;
    } else {
      while (true) {
        if (Peek().kind != TokKind::kIdent || IsReserved(Peek().text)) return Unexpected();
        q.fields.push_back({Peek().text, Peek().column});
        ++pos_;
        if (Peek().text != ",") break;
        ++pos_;
      }
    }
    if (!Keyword("FROM")) return Unexpected();
    if (Peek().kind != TokKind::kIdent) return Unexpected();
    q.object = Peek().text;
    q.object_column = Peek().column;
    ++pos_;
    if (Keyword("WHERE")) {
      auto cond = ParseOr();
      if (!cond) return *error_;
      q.where = std::move(cond);
    }
    if (Keyword("ORDER")) {
      if (!Keyword("BY")) return Unexpected();
      while (true) {
        if (Peek().kind != TokKind::kIdent || IsReserved(Peek().text)) return Unexpected();
        OrderItem item{Peek().text, Peek().column, false, std::nullopt};
        ++pos_;
        if (Keyword("DESC")) {
          item.descending = true;
        } else {
          Keyword("ASC");
        }
        if (Keyword("NULLS")) {
          if (Keyword("FIRST")) {
            item.nulls_first = true;
          } else if (Keyword("LAST")) {
            item.nulls_first = false;
          } else {
            return Unexpected();
          }
        }
        q.order_by.push_back(std::move(item));
        if (Peek().text != ",") break;
        ++pos_;
      }
    }
    if (Keyword("LIMIT")) {
      if (Peek().kind != TokKind::kNumber) return Unexpected();
      std::optional<long long> n = WholeNumber(Peek().text);
      if (!n) return Unexpected();
      q.limit = *n;
      ++pos_;
    }
    if (Keyword("OFFSET")) {
      if (Peek().kind != TokKind::kNumber) return Unexpected();
      std::optional<long long> n = WholeNumber(Peek().text);
      if (!n) return Unexpected();
      q.offset = *n;
      ++pos_;
    }
    if (Peek().kind != TokKind::kEnd) return Unexpected();
    return q;
  }

 private:
  // A LIMIT/OFFSET/N_DAYS number: digits only, in range (no exception on 30,000 digits).
  static std::optional<long long> WholeNumber(std::string_view text) {
    long long n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
    return n;
  }

  static std::string Upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  static bool IsReserved(std::string_view word) {
    static const char* kWords[] = {"SELECT", "FROM",  "WHERE", "AND",  "OR",     "NOT",
                                   "ORDER",  "BY",    "LIMIT", "LIKE", "IN",     "NULL",
                                   "TRUE",   "FALSE", "ASC",   "DESC", "OFFSET", "NULLS"};
    std::string up = Upper(word);
    for (const char* w : kWords) {
      if (up == w) return true;
    }
    return false;
  }

  std::optional<SoqlError> Tokenize() {
    std::size_t i = 0;
    while (i < soql_.size()) {
      char c = soql_[i];
      int column = static_cast<int>(i) + 1;
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      bool is_datetime = false;
      if (std::size_t len = MatchDateOrDateTime(soql_, i, &is_datetime)) {
        tokens_.push_back({is_datetime ? TokKind::kDateTime : TokKind::kDate,
                           std::string(soql_.substr(i, len)), column});
        i += len;
      } else if (IsIdentStart(c)) {
        std::size_t start = i;
        while (i < soql_.size() && IsIdentChar(soql_[i])) ++i;
        tokens_.push_back({TokKind::kIdent, std::string(soql_.substr(start, i - start)), column});
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i + 1 < soql_.size() &&
                  std::isdigit(static_cast<unsigned char>(soql_[i + 1])))) {
        std::size_t start = i++;
        while (i < soql_.size() &&
               (std::isdigit(static_cast<unsigned char>(soql_[i])) || soql_[i] == '.')) {
          ++i;
        }
        tokens_.push_back({TokKind::kNumber, std::string(soql_.substr(start, i - start)), column});
      } else if (c == '\'') {
        std::string text;
        ++i;
        bool closed = false;
        while (i < soql_.size()) {
          char d = soql_[i];
          if (d == '\\' && i + 1 < soql_.size()) {
            char e = soql_[i + 1];
            text.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            i += 2;
            continue;
          }
          if (d == '\'') {
            closed = true;
            ++i;
            break;
          }
          text.push_back(d);
          ++i;
        }
        if (!closed) {
          return MakeError("MALFORMED_QUERY", soql_, column,
                           "unexpected token: '" + std::string(soql_.substr(column - 1)) + "'");
        }
        tokens_.push_back({TokKind::kString, text, column});
      } else if (c == '!' || c == '<' || c == '>' || c == '=') {
        std::string op(1, c);
        if (i + 1 < soql_.size() && (soql_[i + 1] == '=' || (c == '<' && soql_[i + 1] == '>'))) {
          op.push_back(soql_[i + 1]);
        }
        if (op == "!") {
          return MakeError("MALFORMED_QUERY", soql_, column, "unexpected token: '!'");
        }
        tokens_.push_back({TokKind::kOp, op, column});
        i += op.size();
      } else if (c == '(' || c == ')' || c == ',' || c == ':') {
        tokens_.push_back({TokKind::kPunct, std::string(1, c), column});
        ++i;
      } else {
        return MakeError("MALFORMED_QUERY", soql_, column,
                         "unexpected token: '" + std::string(1, c) + "'");
      }
    }
    tokens_.push_back({TokKind::kEnd, "<EOF>", static_cast<int>(soql_.size()) + 1});
    return std::nullopt;
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& PeekAt(std::size_t ahead) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }

  bool Keyword(std::string_view word) {
    if (Peek().kind == TokKind::kIdent && Upper(Peek().text) == word) {
      ++pos_;
      return true;
    }
    return false;
  }

  SoqlError Unexpected() {
    return MakeError("MALFORMED_QUERY", soql_, Peek().column,
                     "unexpected token: '" + Peek().text + "'");
  }

  std::unique_ptr<Condition> Fail() {
    if (!error_) error_ = Unexpected();
    return nullptr;
  }

  std::unique_ptr<Condition> ParseOr() {
    auto left = ParseAnd();
    if (!left) return nullptr;
    while (Keyword("OR")) {
      auto right = ParseAnd();
      if (!right) return nullptr;
      auto node = std::make_unique<Condition>();
      node->kind = CondKind::kOr;
      node->children.push_back(std::move(left));
      node->children.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }

  std::unique_ptr<Condition> ParseAnd() {
    auto left = ParseUnary();
    if (!left) return nullptr;
    while (Keyword("AND")) {
      auto right = ParseUnary();
      if (!right) return nullptr;
      auto node = std::make_unique<Condition>();
      node->kind = CondKind::kAnd;
      node->children.push_back(std::move(left));
      node->children.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }

  std::unique_ptr<Condition> ParseUnary() {
    if (Keyword("NOT")) {
      auto inner = ParseUnary();
      if (!inner) return nullptr;
      auto node = std::make_unique<Condition>();
      node->kind = CondKind::kNot;
      node->children.push_back(std::move(inner));
      return node;
    }
    if (Peek().text == "(") {
      ++pos_;
      auto inner = ParseOr();
      if (!inner) return nullptr;
      if (Peek().text != ")") return Fail();
      ++pos_;
      return inner;
    }
    return ParseComparison();
  }

  std::unique_ptr<Condition> ParseComparison() {
    if (Peek().kind != TokKind::kIdent || IsReserved(Peek().text)) return Fail();
    auto node = std::make_unique<Condition>();
    node->field = Peek().text;
    node->field_column = Peek().column;
    ++pos_;
    if (Peek().kind == TokKind::kOp) {
      node->kind = CondKind::kCompare;
      node->op = Peek().text == "<>" ? "!=" : Peek().text;
      ++pos_;
      auto lit = ParseLiteral();
      if (!lit) return Fail();
      node->values.push_back(std::move(*lit));
      return node;
    }
    bool negated = Keyword("NOT");
    if (Keyword("IN")) {
      node->kind = negated ? CondKind::kNotIn : CondKind::kIn;
      if (Peek().text != "(") return Fail();
      ++pos_;
      while (true) {
        auto lit = ParseLiteral();
        if (!lit) return Fail();
        node->values.push_back(std::move(*lit));
        if (Peek().text == ",") {
          ++pos_;
          continue;
        }
        break;
      }
      if (Peek().text != ")") return Fail();
      ++pos_;
      return node;
    }
    if (!negated && Keyword("LIKE")) {
      node->kind = CondKind::kLike;
      if (Peek().kind != TokKind::kString) return Fail();
      auto lit = ParseLiteral();
      node->values.push_back(std::move(*lit));
      return node;
    }
    return Fail();
  }

  std::optional<Literal> ParseLiteral() {
    const Token& t = Peek();
    Literal lit;
    lit.column = t.column;
    lit.text = t.text;
    switch (t.kind) {
      case TokKind::kString:
        lit.kind = LiteralKind::kString;
        break;
      case TokKind::kNumber:
        lit.kind = LiteralKind::kNumber;
        if (auto [end, ec] =
                std::from_chars(t.text.data(), t.text.data() + t.text.size(), lit.number);
            ec != std::errc() || end != t.text.data() + t.text.size()) {
          return std::nullopt;  // beyond a double's range: not a number SOQL accepts
        }
        break;
      case TokKind::kDate:
        lit.kind = LiteralKind::kDate;
        break;
      case TokKind::kDateTime:
        lit.kind = LiteralKind::kDateTime;
        break;
      case TokKind::kIdent: {
        std::string up = Upper(t.text);
        if (up == "TRUE" || up == "FALSE") {
          lit.kind = LiteralKind::kBool;
          lit.boolean = up == "TRUE";
        } else if (up == "NULL") {
          lit.kind = LiteralKind::kNull;
        } else if (up == "TODAY" || up == "YESTERDAY" || up == "TOMORROW") {
          lit.kind = LiteralKind::kDateRange;
          lit.range_name = up;
        } else if (up == "LAST_N_DAYS" || up == "NEXT_N_DAYS") {
          lit.kind = LiteralKind::kDateRange;
          lit.range_name = up;
          if (PeekAt(1).text != ":" || PeekAt(2).kind != TokKind::kNumber) return std::nullopt;
          std::optional<long long> n = WholeNumber(PeekAt(2).text);
          if (!n || *n > 100000) return std::nullopt;
          lit.range_n = static_cast<int>(*n);
          pos_ += 2;
        } else {
          return std::nullopt;
        }
        break;
      }
      default:
        return std::nullopt;
    }
    ++pos_;
    return lit;
  }

  std::string_view soql_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::optional<SoqlError> error_;
};

}  // namespace

SoqlError MakeError(std::string_view code, std::string_view soql, int column,
                    std::string_view message) {
  std::string text = "\n" + std::string(soql) + "\n" +
                     std::string(static_cast<std::size_t>(std::max(column - 1, 0)), ' ') + "^\n" +
                     "ERROR at Row:1:Column:" + std::to_string(column) + "\n" +
                     std::string(message);
  return {std::string(code), text};
}

std::variant<ParsedQuery, SoqlError> Parse(std::string_view soql) { return Parser(soql).Run(); }

}  // namespace chpeer::sf::soql
