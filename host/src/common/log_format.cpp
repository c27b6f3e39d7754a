// Text and JSON line formats of the host logger.
#include "log_format.hpp"

#include <fmt/format.h>

#include <ctime>

#include "chost/common/text.hpp"

namespace chost::log::detail {

namespace {

// Text lines stay one line per record: control characters are escaped so a message cannot
// forge extra log lines.
void append_text_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
}

bool needs_quotes_in_text(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const size_t len = chost::text::utf8_sequence_length(text, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += fmt::format("\\u{:04x}", u);
        } else {
          out += c;
        }
    }
    ++i;
  }
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
  const auto since_epoch = t.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs);
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms.count());
}

std::string format_redacted_line(Format format, std::chrono::system_clock::time_point t,
                                 Level level, std::string_view connector, std::string_view message,
                                 const Field* fields, size_t field_count) {
  std::string out;
  out.reserve(64 + message.size());
  const std::string ts = format_timestamp(t);
  if (format == Format::kJson) {
    out += "{\"ts\":\"";
    out += ts;
    out += "\",\"level\":\"";
    out += to_string(level);
    out += '"';
    if (!connector.empty()) {
      out += ",\"connector\":\"";
      append_json_escaped(out, connector);
      out += '"';
    }
    out += ",\"msg\":\"";
    append_json_escaped(out, message);
    out += '"';
    for (size_t i = 0; i < field_count; ++i) {
      const Field& f = fields[i];
      // Reserved keys would produce duplicate members; prefix them instead of dropping data.
      const bool reserved =
          f.key == "ts" || f.key == "level" || f.key == "connector" || f.key == "msg";
      out += ",\"";
      if (reserved) out += "field_";
      append_json_escaped(out, f.key);
      out += "\":";
      if (f.bare) {
        out += f.value;
      } else {
        out += '"';
        append_json_escaped(out, f.value);
        out += '"';
      }
    }
    out += '}';
    return out;
  }
  out += ts;
  out += ' ';
  out += to_string(level);
  out += ' ';
  if (!connector.empty()) {
    out += '[';
    append_text_escaped(out, connector);
    out += "] ";
  }
  append_text_escaped(out, message);
  for (size_t i = 0; i < field_count; ++i) {
    const Field& f = fields[i];
    out += ' ';
    append_text_escaped(out, f.key);
    out += '=';
    if (!f.bare && needs_quotes_in_text(f.value)) {
      out += '"';
      for (char c : f.value) {
        if (c == '"' || c == '\\') out += '\\';
        append_text_escaped(out, std::string_view(&c, 1));
      }
      out += '"';
    } else {
      append_text_escaped(out, f.value);
    }
  }
  return out;
}

}  // namespace chost::log::detail
