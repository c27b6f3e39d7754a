// Text and JSON line formats of the host logger.
#include "log_format.hpp"

#include <fmt/format.h>

#include <ctime>

namespace chost::log::detail {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  // Reject overlong forms, surrogates and values beyond Unicode.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    return 0;
  }
  return len;
}

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
      const size_t len = utf8_sequence_length(text, i);
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
