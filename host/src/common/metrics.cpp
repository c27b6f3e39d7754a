// Prometheus registry: families, series and the text exposition format 0.0.4.
#include "chost/common/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace chost::metrics {

namespace {

bool name_char(char c, bool first, bool allow_colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha || (allow_colon && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kCounter:
      return "counter";
    case Kind::kGauge:
      return "gauge";
    case Kind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Sample values: integers without a fraction, others in the shortest round-trip form, and the
// exposition format's spellings of the special values.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void append_escaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Canonical series key: labels sorted by name, rendered as in the exposition (`a="1",b="2"`).
Result<std::string> canonical_labels(const Labels& labels, Kind kind) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(labels.size());
  for (const auto& l : labels) sorted.push_back(&l);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string key;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto& [name, value] = *sorted[i];
    if (!valid_label_name(name)) return Error::config("invalid metric label name '" + name + "'");
    if (kind == Kind::kHistogram && name == "le") {
      return Error::config("label 'le' is reserved for histogram buckets");
    }
    if (i > 0 && sorted[i - 1]->first == name) {
      return Error::config("duplicate metric label '" + name + "'");
    }
    if (i > 0) key += ',';
    key += name;
    key += "=\"";
    append_escaped(key, value, true);
    key += '"';
  }
  return key;
}

Status check_buckets(const std::vector<double>& b) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (!std::isfinite(b[i])) return Error::config("histogram bucket bounds must be finite");
    if (i > 0 && !(b[i - 1] < b[i])) {
      return Error::config("histogram bucket bounds must be strictly increasing");
    }
  }
  return {};
}

void render_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, std::string_view extra_label, double value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !extra_label.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra_label.empty()) out += ',';
    out += extra_label;
    out += '}';
  }
  out += ' ';
  out += format_value(value);
  out += '\n';
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, true)) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, false)) return false;
  }
  return true;
}

std::vector<double> default_buckets_s() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Result<Registry::Family*> Registry::family_locked(std::string_view name, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    if (!valid_metric_name(name)) {
      return Error::config("invalid metric name '" + std::string(name) + "'");
    }
    Family f;
    f.kind = kind;
    if (kind == Kind::kHistogram) f.upper_bounds = default_buckets_s();
    it = families_.emplace(std::string(name), std::move(f)).first;
  } else if (it->second.kind != kind) {
    return Error::config("metric '" + std::string(name) + "' is a " + kind_name(it->second.kind) +
                         ", not a " + kind_name(kind));
  }
  return &it->second;
}

Status Registry::describe_counter(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  auto f = family_locked(name, Kind::kCounter);
  if (!f) return f.error();
  (*f)->help = help;
  return {};
}

Status Registry::describe_gauge(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  auto f = family_locked(name, Kind::kGauge);
  if (!f) return f.error();
  (*f)->help = help;
  return {};
}

Status Registry::describe_histogram(std::string_view name, std::string_view help,
                                    std::vector<double> upper_bounds) {
  if (auto s = check_buckets(upper_bounds); !s) return s;
  std::lock_guard lock(mu_);
  const bool existed = families_.find(name) != families_.end();
  auto f = family_locked(name, Kind::kHistogram);
  if (!f) return f.error();
  Family& fam = **f;
  if (existed && fam.upper_bounds != upper_bounds) {
    if (!fam.series.empty()) {
      return Error::config("histogram '" + std::string(name) +
                           "' already has observations with other buckets");
    }
  }
  fam.upper_bounds = std::move(upper_bounds);
  fam.help = help;
  return {};
}

Result<Registry::Series*> Registry::series_locked(std::string_view name, Kind kind,
                                                  const Labels& labels) {
  auto f = family_locked(name, kind);
  if (!f) return f.error();
  auto key = canonical_labels(labels, kind);
  if (!key) return key.error();
  Family& fam = **f;
  auto [it, inserted] = fam.series.try_emplace(std::move(*key));
  if (inserted && kind == Kind::kHistogram) {
    it->second.bucket_counts.assign(fam.upper_bounds.size() + 1, 0);
  }
  return &it->second;
}

Status Registry::counter_add(std::string_view name, const Labels& labels, double delta) {
  if (!(delta >= 0)) {
    return Error::permanent("counter '" + std::string(name) + "' cannot decrease");
  }
  std::lock_guard lock(mu_);
  auto s = series_locked(name, Kind::kCounter, labels);
  if (!s) return s.error();
  (*s)->value += delta;
  return {};
}

Status Registry::gauge_set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  auto s = series_locked(name, Kind::kGauge, labels);
  if (!s) return s.error();
  (*s)->value = value;
  return {};
}

Status Registry::gauge_add(std::string_view name, const Labels& labels, double delta) {
  std::lock_guard lock(mu_);
  auto s = series_locked(name, Kind::kGauge, labels);
  if (!s) return s.error();
  (*s)->value += delta;
  return {};
}

Status Registry::observe(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  auto s = series_locked(name, Kind::kHistogram, labels);
  if (!s) return s.error();
  const auto& bounds = families_.find(name)->second.upper_bounds;
  // First bucket whose upper bound is >= value (le is inclusive); NaN lands in +Inf.
  const size_t idx =
      static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
  Series& series = **s;
  ++series.bucket_counts[std::isnan(value) ? bounds.size() : idx];
  series.sum += value;
  ++series.count;
  return {};
}

const Registry::Series* Registry::find_locked(std::string_view name, const Labels& labels) const {
  auto it = families_.find(name);
  if (it == families_.end()) return nullptr;
  auto key = canonical_labels(labels, Kind::kCounter);
  if (!key) return nullptr;
  auto s = it->second.series.find(*key);
  return s == it->second.series.end() ? nullptr : &s->second;
}

std::optional<double> Registry::value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  const Series* s = find_locked(name, labels);
  if (!s || families_.find(name)->second.kind == Kind::kHistogram) return std::nullopt;
  return s->value;
}

std::optional<uint64_t> Registry::histogram_count(std::string_view name,
                                                  const Labels& labels) const {
  std::lock_guard lock(mu_);
  const Series* s = find_locked(name, labels);
  if (!s || families_.find(name)->second.kind != Kind::kHistogram) return std::nullopt;
  return s->count;
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    if (fam.series.empty()) continue;  // a declared but unused family has no samples
    if (!fam.help.empty()) {
      out += "# HELP ";
      out += name;
      out += ' ';
      append_escaped(out, fam.help, false);
      out += '\n';
    }
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += kind_name(fam.kind);
    out += '\n';
    for (const auto& [labels, s] : fam.series) {
      if (fam.kind != Kind::kHistogram) {
        render_sample(out, name, "", labels, "", s.value);
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < fam.upper_bounds.size(); ++i) {
        cumulative += s.bucket_counts[i];
        render_sample(out, name, "_bucket", labels,
                      "le=\"" + format_value(fam.upper_bounds[i]) + "\"",
                      static_cast<double>(cumulative));
      }
      cumulative += s.bucket_counts.back();
      render_sample(out, name, "_bucket", labels, "le=\"+Inf\"", static_cast<double>(cumulative));
      render_sample(out, name, "_sum", labels, "", s.sum);
      render_sample(out, name, "_count", labels, "", static_cast<double>(s.count));
    }
  }
  return out;
}

}  // namespace chost::metrics
