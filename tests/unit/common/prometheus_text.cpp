// Strict Prometheus text format parser (see prometheus_text.hpp).
#include "prometheus_text.hpp"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace chost::testing {

namespace {

bool name_ok(const std::string& n, bool colon) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (alpha || (colon && c == ':')) continue;
    if (i > 0 && c >= '0' && c <= '9') continue;
    return false;
  }
  return true;
}

bool parse_value(const std::string& t, double* out) {
  if (t == "+Inf") return *out = INFINITY, true;
  if (t == "-Inf") return *out = -INFINITY, true;
  if (t == "NaN") return *out = NAN, true;
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return !t.empty() && end == t.c_str() + t.size();
}

// The family a sample belongs to, given the declared types.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return name;
}

}  // namespace

PromParse parse_prometheus_text(const std::string& text) {
  PromParse out;
  std::set<std::string> helped, series, finished_families;
  std::string current_family;
  std::istringstream in(text);
  std::string line;
  int no = 0;
  auto problem = [&](const std::string& what) {
    out.problems.push_back("line " + std::to_string(no) + ": " + what + ": " + line);
  };
  if (!text.empty() && text.back() != '\n') {
    out.problems.push_back("output does not end with a newline");
  }
  while (std::getline(in, line)) {
    ++no;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream f(line);
      std::string hash, kw, name;
      f >> hash >> kw >> name;
      if (kw != "HELP" && kw != "TYPE") continue;  // a plain comment
      if (!name_ok(name, true)) problem("bad metric name in " + kw);
      if (kw == "HELP") {
        if (!helped.insert(name).second) problem("second HELP");
        const std::string help = line.substr(std::min(line.size(), 7 + name.size() + 1));
        for (size_t i = 0; i < help.size(); ++i) {
          if (help[i] == '\\' &&
              (i + 1 >= help.size() || (help[i + 1] != '\\' && help[i + 1] != 'n'))) {
            problem("bad escape in HELP");
          }
          if (help[i] == '\\') ++i;
        }
      } else {
        std::string type;
        f >> type;
        if (out.types.count(name)) problem("second TYPE");
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
            type != "untyped") {
          problem("unknown type");
        }
        for (const PromSample& s : out.samples) {
          if (family_of(s.name, out.types) == name) problem("TYPE after samples");
        }
        out.types[name] = type;
      }
      continue;
    }
    PromSample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!name_ok(s.name, true)) problem("bad metric name");
    std::string key;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos) {
          problem("label without =");
          break;
        }
        std::string lname = line.substr(i, eq - i);
        if (!name_ok(lname, false) || lname.rfind("__", 0) == 0) problem("bad label name");
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') {
          problem("label value not quoted");
          break;
        }
        ++i;
        std::string value;
        bool closed = false;
        while (i < line.size()) {
          const char c = line[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (i >= line.size()) break;
            const char e = line[i++];
            if (e == '\\')
              value += '\\';
            else if (e == '"')
              value += '"';
            else if (e == 'n')
              value += '\n';
            else
              problem("bad escape in label value");
            continue;
          }
          value += c;
        }
        if (!closed) problem("unterminated label value");
        if (!s.labels.emplace(lname, value).second) problem("duplicate label " + lname);
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size() || line[i] != '}') problem("labels not closed");
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      problem("no value");
      continue;
    }
    std::string rest = line.substr(i + 1);
    const size_t sp = rest.find(' ');
    if (!parse_value(rest.substr(0, sp), &s.value)) problem("bad value");
    const std::string family = family_of(s.name, out.types);
    if (!out.types.count(family)) problem("sample without TYPE");
    if (family != current_family) {
      if (finished_families.count(family)) problem("family " + family + " is not contiguous");
      if (!current_family.empty()) finished_families.insert(current_family);
      current_family = family;
    }
    if (out.types[family] == "counter" && !(s.value >= 0)) problem("negative counter");
    for (const auto& [k, v] : s.labels) key += k + "=" + v + "\x1f";
    if (!series.insert(s.name + "\x1e" + key).second) problem("duplicate series");
    out.samples.push_back(std::move(s));
  }
  // Histograms: per label set, increasing le, cumulative counts, +Inf last and == _count, _sum.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") continue;
    struct H {
      std::vector<std::pair<double, double>> buckets;
      bool sum = false;
      double count = -1;
    };
    std::map<std::string, H> by_labels;
    for (const PromSample& s : out.samples) {
      if (family_of(s.name, out.types) != family) continue;
      std::map<std::string, std::string> base = s.labels;
      std::string le;
      if (s.name == family + "_bucket") {
        if (!base.count("le")) {
          out.problems.push_back(family + ": a bucket without le");
          continue;
        }
        le = base["le"];
        base.erase("le");
      }
      std::string k;
      for (const auto& [a, b] : base) k += a + "=" + b + ",";
      H& h = by_labels[k];
      if (s.name == family + "_bucket") {
        double bound = 0;
        if (!parse_value(le, &bound)) out.problems.push_back(family + ": bad le " + le);
        h.buckets.emplace_back(bound, s.value);
      } else if (s.name == family + "_sum") {
        h.sum = true;
      } else if (s.name == family + "_count") {
        h.count = s.value;
      } else {
        out.problems.push_back(family + ": unexpected sample " + s.name);
      }
    }
    for (const auto& [k, h] : by_labels) {
      const std::string where = family + "{" + k + "}";
      if (h.buckets.empty() || !std::isinf(h.buckets.back().first)) {
        out.problems.push_back(where + ": no le=\"+Inf\" bucket last");
      }
      for (size_t i = 1; i < h.buckets.size(); ++i) {
        if (!(h.buckets[i - 1].first < h.buckets[i].first)) {
          out.problems.push_back(where + ": le not increasing");
        }
        if (h.buckets[i - 1].second > h.buckets[i].second) {
          out.problems.push_back(where + ": buckets not cumulative");
        }
      }
      if (!h.sum) out.problems.push_back(where + ": no _sum");
      if (h.count < 0) out.problems.push_back(where + ": no _count");
      if (!h.buckets.empty() && h.count != h.buckets.back().second) {
        out.problems.push_back(where + ": _count differs from the +Inf bucket");
      }
    }
  }
  return out;
}

}  // namespace chost::testing
