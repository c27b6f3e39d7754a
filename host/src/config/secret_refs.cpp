// Secret reference resolution (see secret_refs.hpp).
#include "secret_refs.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "chost/common/text.hpp"
#include "chost/config/host_config.hpp"
#include "json_pointer.hpp"

namespace chost::config {

namespace json = boost::json;

namespace {

// "${kind:arg}" taken apart by hand: std::regex's matcher recursed once per character and a long
// value overflowed the stack.
struct RefParts {
  std::string_view kind;
  std::string_view arg;
};

std::optional<RefParts> split_reference(std::string_view s) {
  if (s.size() < 4 || !s.starts_with("${") || !s.ends_with('}')) return std::nullopt;
  const std::string_view inner = s.substr(2, s.size() - 3);
  const size_t colon = inner.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
  RefParts parts{inner.substr(0, colon), inner.substr(colon + 1)};
  for (char c : parts.kind) {
    if (c < 'a' || c > 'z') return std::nullopt;
  }
  if (parts.arg.find_first_of("\r\n") != std::string_view::npos) return std::nullopt;
  return parts;
}

// A name as messages show it: a 60,000-character "name" is not worth 60,000 characters of log.
std::string shown(std::string_view name) {
  constexpr size_t kShownBytes = 64;
  if (name.size() <= kShownBytes) return std::string(name);
  return std::string(name.substr(0, kShownBytes)) + "...";
}

bool is_env_name(std::string_view name) {
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (name.empty() || !alpha(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

}  // namespace

std::optional<std::string> read_secret_file(const std::filesystem::path& path, std::string& why) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  std::optional<std::string> content;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
  } else if (S_ISDIR(st.st_mode)) {
    why = "is a directory";
  } else if (!S_ISREG(st.st_mode)) {
    why = "is not a regular file";
  } else if (static_cast<uint64_t>(st.st_size) > kMaxSecretFileBytes) {
    why = "is larger than " + std::to_string(kMaxSecretFileBytes) + " bytes";
  } else {
    std::string text;
    char buf[8192];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        why = std::strerror(errno);
        break;
      }
      if (n == 0) {
        content = std::move(text);
        break;
      }
      text.append(buf, static_cast<size_t>(n));
      if (text.size() > kMaxSecretFileBytes) {  // it grew since fstat
        why = "is larger than " + std::to_string(kMaxSecretFileBytes) + " bytes";
        break;
      }
    }
  }
  ::close(fd);
  if (!content) return std::nullopt;
  if (content->find('\0') != std::string::npos ||
      text::find_invalid_utf8(*content) != std::string::npos) {
    why = "is not UTF-8 text";
    return std::nullopt;
  }
  while (!content->empty() && (content->back() == '\n' || content->back() == '\r')) {
    content->pop_back();
  }
  return content;
}

namespace {

void resolve_one(json::value& v, const std::string& ptr, const std::filesystem::path& base_dir,
                 SecretRefOutcome& out) {
  std::string_view s = v.get_string();
  if (!s.starts_with("${")) {
    if (s.find("${env:") != std::string_view::npos || s.find("${file:") != std::string_view::npos) {
      out.problems.emplace_back(ptr,
                                "a secret reference must be the whole value, e.g. \"${env:NAME}\"");
      out.failed_pointers.insert(ptr);
    }
    return;
  }
  const std::optional<RefParts> parts = split_reference(s);
  if (!parts) {
    // "${user}" and the like are ordinary values; only near-misses of our syntax are errors.
    if (s.starts_with("${env:") || s.starts_with("${file:")) {
      out.problems.emplace_back(ptr, "malformed secret reference: use ${env:NAME} or ${file:PATH}");
      out.failed_pointers.insert(ptr);
    }
    return;
  }
  const std::string kind(parts->kind);
  const std::string arg(parts->arg);
  if (kind == "env") {
    if (!is_env_name(arg)) {
      out.problems.emplace_back(ptr, "invalid environment variable name '" + shown(arg) + "'");
      out.failed_pointers.insert(ptr);
      return;
    }
    const char* value = std::getenv(arg.c_str());
    if (value == nullptr) {
      out.problems.emplace_back(ptr, "environment variable '" + shown(arg) + "' is not set");
      out.failed_pointers.insert(ptr);
      return;
    }
    if (*value == '\0') {
      out.problems.emplace_back(ptr, "environment variable '" + shown(arg) + "' is empty");
      out.failed_pointers.insert(ptr);
      return;
    }
    out.secret_values.emplace_back(value);
    v = json::string(value);
  } else if (kind == "file") {
    if (arg.empty()) {
      out.problems.emplace_back(ptr, "empty file path in ${file:...}");
      out.failed_pointers.insert(ptr);
      return;
    }
    std::filesystem::path p(arg);
    if (p.is_relative()) p = base_dir / p;
    p = p.lexically_normal();
    std::string why;
    std::optional<std::string> content = read_secret_file(p, why);
    if (!content) {
      out.problems.emplace_back(ptr, "cannot read secret file '" + p.string() + "': " + why);
      out.failed_pointers.insert(ptr);
      return;
    }
    if (content->empty()) {
      out.problems.emplace_back(ptr, "secret file '" + p.string() + "' is empty");
      out.failed_pointers.insert(ptr);
      return;
    }
    out.secret_values.push_back(*content);
    v = json::string(*content);
  } else {
    out.problems.emplace_back(
        ptr, "unknown secret reference kind '" + kind + "': use ${env:NAME} or ${file:PATH}");
    out.failed_pointers.insert(ptr);
    return;
  }
  out.resolved_pointers.insert(ptr);
}

}  // namespace

void resolve_secret_refs(json::value& value, const std::string& base_pointer,
                         const std::filesystem::path& base_dir, SecretRefOutcome& out) {
  if (value.is_string()) {
    resolve_one(value, base_pointer, base_dir, out);
  } else if (value.is_array()) {
    size_t i = 0;
    for (json::value& item : value.get_array()) {
      resolve_secret_refs(item, pointer_append(base_pointer, i++), base_dir, out);
    }
  } else if (value.is_object()) {
    for (auto& kv : value.get_object()) {
      resolve_secret_refs(kv.value(), pointer_append(base_pointer, kv.key()), base_dir, out);
    }
  }
}

Result<std::string> resolve_secret_reference(const std::string& ref) {
  json::value value = json::string(ref);
  SecretRefOutcome out;
  std::error_code ec;
  resolve_secret_refs(value, "", std::filesystem::current_path(ec), out);
  if (!out.problems.empty()) return Error::config(out.problems.front().second);
  return std::string(value.get_string());
}

}  // namespace chost::config
