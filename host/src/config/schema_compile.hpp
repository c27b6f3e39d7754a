// One JSON Schema document compiled with valijson (draft-07), schema by schema as the host needs
// them: the document's root, or a single oneOf/anyOf branch (whose "$ref"s still reach the
// root). The host takes over four keywords from valijson, on purpose:
//  - `format`: "duration"/"x-duration" (our "15m" durations), "uri" and "regex" are checked, other
//    formats are annotations (valijson 1.0 throws on a non-string value with a format);
//  - `pattern`: a value longer than kMaxPatternInputBytes is not handed to std::regex, whose
//    matcher recurses once per character;
//  - `oneOf`, `anyOf`, `not`: counted here so that the message can say how many forms matched and
//    why the closest ones did not, instead of every branch's errors.
// Valijson's own text for all other keywords comes back as RawError; schema_messages.cpp
// turns it into the host's messages. Valijson stays inside schema_compile.cpp.
#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chost::config {

// An error as valijson (or one of the host's keywords) reported it.
struct RawError {
  std::string pointer;      // instance location, relative to the validated value
  std::string description;  // valijson's text, or "\x01kind\x01arg" for the host's keywords
};

// Prefix of the host keywords' descriptions: "\x01format\x01uri", "\x01oneOf\x01/oneOf\x01" + n.
inline constexpr char kHostErrorMark = '\x01';

class SchemaSet {
 public:
  // `root` must outlive the set.
  explicit SchemaSet(const boost::json::value& root);
  ~SchemaSet();
  SchemaSet(const SchemaSet&) = delete;
  SchemaSet& operator=(const SchemaSet&) = delete;

  const boost::json::value& root() const { return root_; }

  // Validates `instance` against the schema at `pointer` of the document (compiled on first
  // use). Integral numbers written as 5.0 count as integers, as draft-07 says. Throws
  // std::runtime_error with valijson's reason when that schema cannot be compiled.
  bool validate(const std::string& pointer, const boost::json::value& instance,
                std::vector<RawError>* errors);

  // Compiles the root and every oneOf/anyOf/not member (otherwise compiled on first use);
  // throws std::runtime_error with valijson's reason.
  void compile_all();

  // The value being validated at the innermost validate() call (for the host's keywords).
  const boost::json::value* current_instance() const {
    return instances_.empty() ? nullptr : instances_.back();
  }

  struct Compiled;

 private:
  const Compiled& compiled(const std::string& pointer);

  const boost::json::value& root_;
  boost::json::value rewritten_root_;  // host keywords renamed; what "$ref"s of branches reach
  std::map<std::string, std::unique_ptr<Compiled>> compiled_;
  std::vector<const boost::json::value*> instances_;
};

// Checks `schema` with valijson's own schema parser (unresolvable $ref, a keyword value valijson
// cannot use); empty when it compiles, else valijson's reason.
std::string compile_problem(const boost::json::value& schema);

}  // namespace chost::config
