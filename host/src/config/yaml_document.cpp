// YAML -> JSON with positions (see yaml_document.hpp). yaml-cpp's event parser feeds a builder
// instead of YAML::Load: the builder sees each alias at its own position, and it stops the parse
// the moment a limit is exceeded, before yaml-cpp recurses deeper or an alias's copies grow.
#include "yaml_document.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

#include "chost/common/text.hpp"
#include "json_pointer.hpp"
#include "yaml_scalar.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

YamlPos to_pos(const YAML::Mark& m) {
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};  // yaml-cpp marks are 0-based
}

YamlPos pos_at_offset(std::string_view text, size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const size_t line_start = before.rfind('\n');
  const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  const size_t column = line_start == std::string_view::npos ? offset : offset - line_start - 1;
  return {line, static_cast<int>(column) + 1};
}

// Thrown by the builder to stop yaml-cpp at once.
struct StopParse {
  YamlPos pos;
  std::string message;
};

// Before yaml-cpp sees the text: it stops at a NUL byte without a word (the rest of the file
// would be silently ignored) and passes invalid UTF-8 on to the plugins' JSON parsers.
std::optional<YamlProblem> check_text(const std::string& text) {
  const size_t nul = text.find('\0');
  const size_t bad = text::find_invalid_utf8(text);
  if (nul == std::string::npos && bad == std::string::npos) return std::nullopt;
  if (nul < bad) {
    return YamlProblem{pos_at_offset(text, nul), "",
                       "NUL byte in the file: a configuration file is UTF-8 text (if this one is "
                       "UTF-16, save it as UTF-8); remove the byte"};
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[bad]));
  return YamlProblem{pos_at_offset(text, bad), "",
                     std::string("invalid UTF-8 (byte ") + hex +
                         "): a configuration file is UTF-8 text; save it as UTF-8"};
}

// Builds the JSON value from yaml-cpp's events, recording positions as it goes.
class Builder : public YAML::EventHandler {
 public:
  Builder(YamlDocument& doc, const std::string& text) : doc_(doc), text_(text) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    leaf(mark, anchor, std::nullopt, nullptr, null_position(mark), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (value.size() > kMaxScalarBytes) {
      throw StopParse{to_pos(mark), "value longer than " + std::to_string(kMaxScalarBytes) +
                                        " bytes: keep large values in a file and reference it "
                                        "with \"${file:PATH}\""};
    }
    // The text was checked, but escapes ("\0", "\ud800") can still make these.
    if (value.find('\0') != std::string::npos) {
      throw StopParse{to_pos(mark), "value contains a NUL character (a \\0 escape): remove it"};
    }
    if (text::find_invalid_utf8(value) != std::string::npos) {
      throw StopParse{to_pos(mark),
                      "value is not valid UTF-8 once its escapes are decoded (a lone surrogate "
                      "such as \\ud800?): remove the escape"};
    }
    // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
    json::value v = tag == "?" ? resolve_plain_scalar(value) : json::value(json::string(value));
    leaf(mark, anchor, value, std::move(v), to_pos(mark), value.size());
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (skipping() || take_skipped_value()) return;
    if (Frame* map = map_expecting_key()) return bad_key(*map, mark);
    const std::string name = alias_name(mark);
    for (const Frame& f : frames_) {
      if (f.anchor == anchor) {
        throw StopParse{to_pos(mark), "alias *" + name +
                                          " refers to the node that contains it (a recursive "
                                          "alias): an alias can only repeat a complete node"};
      }
    }
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw StopParse{to_pos(mark), "alias *" + name +
                                        " refers to an anchor on a mapping key or an ignored "
                                        "value: anchor a value instead"};
    }
    const Anchored& a = it->second;
    if (++aliases_ > kMaxAliases) {
      throw StopParse{to_pos(mark), "more than " + std::to_string(kMaxAliases) +
                                        " aliases: write the values out or use fewer aliases"};
    }
    expanded_bytes_ += a.bytes;
    if (expanded_bytes_ > kMaxAliasExpansionBytes) {
      throw StopParse{to_pos(mark), "aliases repeat more than " +
                                        std::to_string(kMaxAliasExpansionBytes) +
                                        " bytes of values (an alias bomb?): use fewer aliases"};
    }
    add_values(mark, a.values);
    check_depth(mark, static_cast<int>(frames_.size()) + a.height);
    const std::string ptr = child_pointer();
    for (const Position& p : a.positions) positions_.push_back({ptr + p.pointer, p.pos, p.is_key});
    bytes_ += a.bytes;
    place(json::value(a.value), a.height);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, Kind::kSequence);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, Kind::kMap);
  }
  void OnMapEnd() override { close(); }

  json::value take_root() { return std::move(root_); }

  void store_positions() {
    for (Position& p : positions_) {
      (p.is_key ? doc_.key_pos : doc_.value_pos).emplace(std::move(p.pointer), p.pos);
    }
  }

 private:
  // kSkip: a node the document does not keep (a non-scalar key, or the value of a rejected key):
  // its events are read and dropped, its nesting still counted.
  enum class Kind { kSequence = 1, kMap = 2, kSkip = 3 };
  enum class Expect { kKey = 1, kValue = 2, kSkipValue = 3 };

  struct Position {
    std::string pointer;
    YamlPos pos;
    bool is_key = false;
  };

  struct Frame {
    Kind kind = Kind::kSkip;
    json::value value;
    std::string pointer;
    YAML::anchor_t anchor = 0;
    size_t positions_begin = 0;
    size_t values_begin = 0;
    size_t bytes_begin = 0;
    int height = 1;  // levels of nesting from this node down
    Expect expect = Expect::kKey;
    std::string key;  // kMap in kValue: the key whose value comes next
  };

  // A completed anchored node, kept to be copied by its aliases.
  struct Anchored {
    json::value value;
    std::vector<Position> positions;  // pointers relative to the node
    size_t values = 0;
    size_t bytes = 0;
    int height = 0;
  };

  bool skipping() const { return !frames_.empty() && frames_.back().kind == Kind::kSkip; }

  Frame* map_expecting_key() {
    if (frames_.empty() || frames_.back().kind != Kind::kMap) return nullptr;
    Frame& top = frames_.back();
    return top.expect == Expect::kKey ? &top : nullptr;
  }

  // The value after a rejected key, which is dropped.
  bool take_skipped_value() {
    if (frames_.empty() || frames_.back().kind != Kind::kMap) return false;
    Frame& top = frames_.back();
    if (top.expect != Expect::kSkipValue) return false;
    top.expect = Expect::kKey;
    return true;
  }

  void bad_key(Frame& map, const YAML::Mark& mark) {
    doc_.problems.push_back({to_pos(mark), map.pointer, "mapping keys must be plain strings"});
    map.expect = Expect::kSkipValue;
  }

  void add_values(const YAML::Mark& mark, size_t count) {
    values_ += count;
    if (values_ > kMaxValues) {
      throw StopParse{to_pos(mark), "more than " + std::to_string(kMaxValues) +
                                        " values, counting what aliases repeat: a configuration "
                                        "file needs far fewer (an alias bomb?)"};
    }
  }

  void check_depth(const YAML::Mark& mark, int depth) const {
    if (depth > kMaxNestingDepth) {
      throw StopParse{to_pos(mark), "nested deeper than " + std::to_string(kMaxNestingDepth) +
                                        " levels: flatten the structure (is a bracket not "
                                        "closed?)"};
    }
  }

  std::string child_pointer() const {
    if (frames_.empty()) return "";
    const Frame& top = frames_.back();
    if (top.kind == Kind::kSequence)
      return pointer_append(top.pointer, top.value.get_array().size());
    return pointer_append(top.pointer, top.key);
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, std::optional<std::string_view> key,
            json::value value, YamlPos pos, size_t bytes) {
    if (skipping() || take_skipped_value()) return;
    if (Frame* map = map_expecting_key()) {
      if (!key) return bad_key(*map, mark);
      const std::string child = pointer_append(map->pointer, *key);
      if (map->value.get_object().contains(*key)) {
        doc_.problems.push_back({to_pos(mark), child, "duplicate key '" + std::string(*key) + "'"});
        map->expect = Expect::kSkipValue;
        return;
      }
      positions_.push_back({child, to_pos(mark), true});
      map->key = std::string(*key);
      map->expect = Expect::kValue;
      bytes_ += bytes;
      return;
    }
    add_values(mark, 1);
    bytes_ += bytes;
    const size_t positions_begin = positions_.size();
    const std::string ptr = child_pointer();
    positions_.push_back({ptr, pos, false});
    if (anchor != 0) {
      anchors_[anchor] = Anchored{value, relative_positions(positions_begin, ptr), 1, bytes, 0};
    }
    place(std::move(value), 0);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, Kind kind) {
    check_depth(mark, static_cast<int>(frames_.size()) + 1);
    Frame f;
    if (skipping()) {
      frames_.push_back(std::move(f));
      return;
    }
    if (Frame* map = map_expecting_key()) {
      bad_key(*map, mark);
      frames_.push_back(std::move(f));
      return;
    }
    if (take_skipped_value()) {
      frames_.push_back(std::move(f));
      return;
    }
    add_values(mark, 1);
    f.kind = kind;
    f.value = kind == Kind::kMap ? json::value(json::object()) : json::value(json::array());
    f.pointer = child_pointer();
    f.anchor = anchor;
    f.positions_begin = positions_.size();
    f.values_begin = values_;
    f.bytes_begin = bytes_;
    positions_.push_back({f.pointer, to_pos(mark), false});
    frames_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    if (f.kind == Kind::kSkip) return;
    if (f.anchor != 0) {
      anchors_[f.anchor] = Anchored{f.value, relative_positions(f.positions_begin, f.pointer),
                                    values_ - f.values_begin + 1, bytes_ - f.bytes_begin, f.height};
    }
    place(std::move(f.value), f.height);
  }

  std::vector<Position> relative_positions(size_t begin, const std::string& base) const {
    std::vector<Position> out;
    out.reserve(positions_.size() - begin);
    for (size_t i = begin; i < positions_.size(); ++i) {
      out.push_back(
          {positions_[i].pointer.substr(base.size()), positions_[i].pos, positions_[i].is_key});
    }
    return out;
  }

  void place(json::value value, int height) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& top = frames_.back();
    top.height = std::max(top.height, height + 1);
    if (top.kind == Kind::kSequence) {
      top.value.get_array().push_back(std::move(value));
    } else {
      top.value.get_object()[top.key] = std::move(value);
      top.expect = Expect::kKey;
    }
  }

  // yaml-cpp hands aliases over by number; the admin wrote a name after the '*'.
  std::string alias_name(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return "";
    size_t begin = static_cast<size_t>(mark.pos);
    if (text_[begin] == '*') ++begin;
    size_t end = text_.find_first_of(" \t\r\n,[]{}", begin);
    if (end == std::string::npos) end = text_.size();
    return text_.substr(begin, std::min<size_t>(end - begin, 64));
  }

  // yaml-cpp marks an empty value ("key:" or "-" with nothing after it) at the next token,
  // often lines later. Walk back over blanks and comments: if the value was empty, the
  // previous token is the ':' or '-' that introduced it, and that is the position to report.
  YamlPos null_position(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) > text_.size()) return to_pos(mark);
    size_t end = static_cast<size_t>(mark.pos);
    std::string_view at = std::string_view(text_).substr(end);
    for (std::string_view literal : {"~", "null", "Null", "NULL"}) {
      if (!at.starts_with(literal)) continue;
      std::string_view rest = at.substr(literal.size());
      if (rest.empty() || std::string_view(" \t\r\n,]}#").find(rest[0]) != std::string_view::npos) {
        return to_pos(mark);  // an explicit null is where it says
      }
    }
    int line = mark.line;
    for (int guard = 0; guard < 10'000; ++guard) {
      // At the start of the file (an empty key there: ": a") there is no earlier line.
      size_t start = end == 0 ? std::string::npos : text_.rfind('\n', end - 1);
      start = start == std::string::npos ? 0 : start + 1;
      std::string_view segment(text_.data() + start, end - start);
      if (line != mark.line) {  // a whole earlier line: drop its comment
        size_t hash = segment.find('#');
        while (hash != std::string_view::npos && hash > 0 && segment[hash - 1] != ' ' &&
               segment[hash - 1] != '\t') {
          hash = segment.find('#', hash + 1);
        }
        if (hash != std::string_view::npos) segment = segment.substr(0, hash);
      }
      size_t last = segment.find_last_not_of(" \t\r");
      if (last != std::string_view::npos) {
        char c = segment[last];
        if (c == ':' || c == '-') return {line + 1, static_cast<int>(last) + 1};
        return to_pos(mark);
      }
      if (start == 0) return to_pos(mark);
      end = start - 1;  // the '\n' ending the previous line
      --line;
    }
    return to_pos(mark);
  }

  YamlDocument& doc_;
  const std::string& text_;
  std::vector<Frame> frames_;
  std::vector<Position> positions_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  json::value root_;
  size_t values_ = 0;
  size_t bytes_ = 0;
  size_t aliases_ = 0;
  size_t expanded_bytes_ = 0;
};

// Stops at the start of a document after the first one.
class SecondDocumentProbe : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    throw StopParse{to_pos(mark),
                    "a second YAML document starts here: the file holds one document; remove "
                    "this '---' and what follows it, or merge the two"};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp's message, and what to do about the one mistake it words worst: `${env:X}` unquoted
// inside { } or [ ], where '{' opens a nested mapping.
std::string syntax_error_message(const YAML::Exception& e, const std::string& text) {
  std::string message = "invalid YAML: " + e.msg;
  const int pos = e.mark.pos;
  if (pos > 0 && static_cast<size_t>(pos) < text.size() && text[pos] == '{' &&
      text[pos - 1] == '$') {
    message +=
        "; a ${env:...} or ${file:...} reference inside { } or [ ] must be quoted: "
        "\"${env:NAME}\"";
  }
  return message;
}

YamlDocument failed(YamlProblem problem) {
  YamlDocument doc;
  if (problem.pos.line == 0) problem.pos = {1, 1};
  doc.problems.push_back(std::move(problem));
  return doc;
}

}  // namespace

YamlPos YamlDocument::value_position(std::string pointer) const {
  for (;;) {
    auto it = value_pos.find(pointer);
    if (it != value_pos.end() && it->second.line > 0) return it->second;
    if (pointer.empty()) return {1, 1};
    pointer = pointer_parent(pointer);
  }
}

YamlPos YamlDocument::key_position(const std::string& pointer) const {
  auto it = key_pos.find(pointer);
  if (it != key_pos.end() && it->second.line > 0) return it->second;
  return value_position(pointer);
}

YamlDocument parse_yaml_string(const std::string& text) {
  if (text.size() > kMaxConfigFileBytes) {
    return failed({{},
                   "",
                   "file is larger than " + std::to_string(kMaxConfigFileBytes) +
                       " bytes: a configuration file is a small text file (is this the "
                       "right file?)"});
  }
  if (std::optional<YamlProblem> bad = check_text(text)) return failed(std::move(*bad));
  YamlDocument doc;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    Builder builder(doc, text);
    if (parser.HandleNextDocument(builder)) {
      SecondDocumentProbe probe;
      parser.HandleNextDocument(probe);
    }
    doc.root = builder.take_root();
    builder.store_positions();
    doc.parsed = true;
  } catch (const StopParse& stop) {
    return failed({stop.pos, "", stop.message});
  } catch (const YAML::Exception& e) {
    return failed({to_pos(e.mark), "", syntax_error_message(e, text)});
  }
  return doc;
}

YamlDocument parse_yaml_file(const std::filesystem::path& path) {
  auto cannot_read = [](const std::string& why) {
    YamlDocument doc;
    doc.problems.push_back({{}, "", "cannot read configuration file: " + why});
    return doc;
  };
  // Not std::ifstream: it would read /dev/zero until memory runs out, and it hides errno.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cannot_read(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return cannot_read("is a directory");
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return cannot_read(std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxConfigFileBytes) break;  // parse_yaml_string reports it
  }
  ::close(fd);
  return parse_yaml_string(text);
}

}  // namespace chost::config
