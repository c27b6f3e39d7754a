// bench_sf_race: the connector against jsforce on the same local Salesforce peer.
//
// Starts tests/peers/salesforce (its own process, so its CPU is measured apart) with N generated
// Accounts × 20 fields, then, alternating run by run, times
//   - the connector: `connector-host sync` on a stopped host (SQLite state, fsync'd commits):
//     a full load through REST pages, a full load through Bulk API 2.0, and an incremental
//     after 1% of the records changed;
//   - jsforce (npm, installed into the build dir by scripts/bench): the same SOQL with
//     autoFetch (REST) and bulk2.query (Bulk), every record streamed to a JSON-lines file,
//     and the incremental's records.
// Each run is a child process measured with wait4(): wall, CPU (user+system), peak RSS; the
// peer's counters give API requests and response bytes as sent (gzip when asked), /proc the
// peer's CPU. Prints (and writes with --out) a Markdown table of medians and the ratios
// connector / jsforce. Without node or jsforce (--no-jsforce) only the connector rows run.
//   bench_sf_race [--records N] [--runs K] [--out FILE] [--no-jsforce] [--jsforce-dir DIR]
#include <curl/curl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kClientId = "demo-consumer-key";         // seeds/demo.json
constexpr const char* kClientSecret = "demo-consumer-secret";  // a public test value
constexpr const char* kApiVersion = "59.0";
// Every Account field the peer has: 20 columns per record.
constexpr const char* kFields =
    "Name, AccountNumber, Type, Industry, Website, Phone, BillingCity, BillingCountry, "
    "AnnualRevenue, NumberOfEmployees, Description, ParentId, OwnerId, CreatedDate, CreatedById, "
    "LastModifiedDate, LastModifiedById";

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_sf_race: %s\n", why.c_str());
  std::exit(1);
}

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// One HTTP exchange with the peer; dies on a transport failure.
std::pair<long, std::string> http(const std::string& method, const std::string& url,
                                  const std::string& body, const std::string& content_type,
                                  const std::string& bearer = "") {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), &curl_easy_cleanup);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  if (!bearer.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer).c_str());
  std::string out;
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method != "GET") {
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, 600'000L);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c.get());
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) die(method + " " + url + ": " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  return {status, out};
}

struct Usage {
  double wall_s = 0;
  double cpu_s = 0;
  double peak_rss_mib = 0;
  int exit_code = 0;
};

// Runs argv with `env` added, stdout/stderr to files; measures it with wait4().
Usage run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
          const fs::path& out, const fs::path& err) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  Usage u;
  u.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  u.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  u.peak_rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  u.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return u;
}

// The peer process: started once, its CPU read from /proc.
class Peer {
 public:
  Peer(const std::string& binary, const std::string& seed) {
    int fds[2];
    if (pipe(fds) != 0) die("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      execl(binary.c_str(), binary.c_str(), "--port", "0", "--seed", seed.c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char ch = 0;
    while (read(fds[0], &ch, 1) == 1 && ch != '\n') line += ch;
    close(fds[0]);
    if (!line.starts_with("http://")) die("the peer did not start (" + binary + ")");
    url_ = line;
  }
  ~Peer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  const std::string& url() const { return url_; }
  double cpu_s() const {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    std::istringstream rest(text.substr(text.rfind(')') + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(rest)), {});
    // fields 14 and 15 (utime, stime) are 11 and 12 after "state"
    return f.size() > 12 ? static_cast<double>(std::stoll(f[11]) + std::stoll(f[12])) /
                               static_cast<double>(sysconf(_SC_CLK_TCK))
                         : 0;
  }
  json::value control(const std::string& method, const std::string& path,
                      const std::string& body = "{}") const {
    auto [status, text] = http(method, url_ + "/__peer/" + path, body, "application/json");
    if (status != 200) die("control " + path + ": HTTP " + std::to_string(status) + " " + text);
    return text.empty() ? json::value() : json::parse(text);
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

struct Row {
  std::string label;
  std::vector<double> wall, cpu, rss, peer_cpu;
  double requests = 0, bytes = 0, records = 0;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

struct Options {
  long records = 200000;
  int runs = 3;
  std::string out;
  bool jsforce = true;  // off with --no-jsforce, or when jsforce is not installed (a warning)
  std::string jsforce_dir = CHP_BENCH_JSFORCE_DIR;
};

class Race {
 public:
  explicit Race(Options o) : o_(std::move(o)), peer_(SF_PEER_BIN, SF_PEER_DEMO_SEED) {
    work_ = fs::temp_directory_path() / ("sf-race-" + std::to_string(getpid()));
    fs::create_directories(work_);
    peer_.control("POST", "limits", R"({"daily_api_max":1000000000})");
    // One result set when the client does not ask for maxRecords (Salesforce sizes its default
    // sets by bytes): jsforce 3 pipes every set into one CSV parser without waiting for the
    // previous one to drain, which breaks on interleaved sets. The connector asks for 50,000.
    peer_.control("POST", "bulk", R"({"default_max_records":100000000})");
    peer_.control("POST", "generate",
                  R"({"sobject":"Account","count":)" + std::to_string(o_.records) +
                      R"(,"fields":{"Name":"Account {n}","AccountNumber":"AN-{n}","Type":"Customer",
                      "Industry":"Energy","Website":"https://a{n}.example","Phone":"+1 555 {n}",
                      "BillingCity":"City {n}","BillingCountry":"Country","AnnualRevenue":1000.5,
                      "NumberOfEmployees":42,"Description":"Generated account {n} for the race"}})");
    peer_.control("POST", "clock/advance", R"({"seconds":3600})");
  }
  ~Race() { fs::remove_all(work_); }

  void go() {
    for (int i = 0; i < o_.runs; ++i) {
      connector_full("connector, full, REST", 0);
      if (o_.jsforce) jsforce("jsforce, full, REST (autoFetch)", "rest", full_soql());
      connector_full("connector, full, Bulk API 2.0", 2000);
      if (o_.jsforce) jsforce("jsforce, full, Bulk API 2.0", "bulk", full_soql());
      // 1% changes an hour later; both sides then read what changed since before them.
      peer_.control("POST", "clock/advance", R"({"seconds":3600})");
      std::string since = now_minus(300);
      change_one_percent(i);
      connector_incremental("connector, incremental (1% changed)");
      if (o_.jsforce) {
        jsforce("jsforce, incremental (1% changed)", "rest",
                full_soql_where("SystemModstamp >= " + since));
      }
    }
    report();
  }

 private:
  std::string full_soql() const { return full_soql_where(""); }
  std::string full_soql_where(const std::string& where) const {
    return std::string("SELECT Id, SystemModstamp, IsDeleted, ") + kFields + " FROM Account" +
           (where.empty() ? "" : " WHERE " + where) + " ORDER BY SystemModstamp ASC, Id ASC";
  }
  std::string now_minus(int seconds) {
    // The peer's clock, as a SOQL datetime literal.
    std::int64_t ms = peer_.control("GET", "clock").at("now_ms").as_int64() - seconds * 1000LL;
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
  }
  std::string token() {
    auto [status, body] = http("POST", peer_.url() + "/services/oauth2/token",
                               std::string("grant_type=client_credentials&client_id=") + kClientId +
                                   "&client_secret=" + kClientSecret,
                               "application/x-www-form-urlencoded");
    if (status != 200) die("token: " + body);
    return std::string(json::parse(body).at("access_token").as_string());
  }
  void change_one_percent(int round) {
    std::string t = token();
    std::string api = peer_.url() + "/services/data/v" + kApiVersion;
    long n = std::max<long>(1, o_.records / 100);
    std::string soql = "SELECT Id FROM Account ORDER BY Id LIMIT " + std::to_string(n) +
                       " OFFSET " + std::to_string((round * n) % std::max<long>(1, o_.records - n));
    std::string url = api + "/query?q=";
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), &curl_easy_cleanup);
    char* enc = curl_easy_escape(c.get(), soql.c_str(), static_cast<int>(soql.size()));
    url += enc;
    curl_free(enc);
    std::vector<std::string> ids;
    std::string next = url;
    while (!next.empty()) {
      auto [status, body] = http("GET", next, "", "application/json", t);
      if (status != 200) die("query for the 1% change: " + body);
      json::value page = json::parse(body);
      for (const auto& r : page.at("records").as_array()) ids.emplace_back(r.at("Id").as_string());
      const json::value* nu = page.as_object().if_contains("nextRecordsUrl");
      next = nu && nu->is_string() ? peer_.url() + std::string(nu->as_string()) : "";
    }
    for (std::size_t i = 0; i < ids.size(); i += 200) {
      json::array records;
      for (std::size_t j = i; j < std::min(ids.size(), i + 200); ++j) {
        records.push_back(json::object{
            {"attributes", {{"type", "Account"}}}, {"Id", ids[j]}, {"Industry", "Banking"}});
      }
      auto [status, body] =
          http("PATCH", api + "/composite/sobjects",
               json::serialize(json::object{{"allOrNone", false}, {"records", records}}),
               "application/json", t);
      if (status != 200) die("1% change: " + body);
    }
  }

  // A host config with one salesforce connector and a fresh or kept state dir.
  fs::path host_config(const std::string& state, long bulk_threshold) {
    fs::path dir = work_ / state;
    fs::create_directories(dir);
    fs::path cfg = dir / "host.yaml";
    std::ofstream f(cfg);
    f << "host:\n"
      << "  state: { backend: sqlite, path: " << (dir / "host.db").string() << " }\n"
      << "  master_key: ${env:CHP_MASTER_KEY}\n"
      << "  plugin_dirs: [" << CHP_PLUGIN_DIR << "]\n"
      << "  admin: { listen: \"127.0.0.1:" << (20000 + getpid() % 10000) << "\" }\n"
      << "  log: { format: text, level: warn }\n"
      << "connectors:\n"
      << "  - name: sf\n"
      << "    plugin: salesforce\n"
      << "    config:\n"
      << "      login_url: " << peer_.url() << "\n"
      << "      client_id: " << kClientId << "\n"
      << "      client_secret: ${env:SF_RACE_SECRET}\n"
      << "      auth_flow: client_credentials\n"
      << "      api_version: \"" << kApiVersion << "\"\n"
      << "      objects: [{name: Account, fields: [" << kFields << "]}]\n"
      << "      overlap_seconds: 300\n"
      << "      page_size_records: 2000\n"
      << "      bulk_threshold_records: " << bulk_threshold << "\n"
      << "      bulk_page_records: 50000\n";
    return cfg;
  }
  std::vector<std::string> env() const {
    return {"CHP_MASTER_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            std::string("SF_RACE_SECRET=") + kClientSecret};
  }

  Row& row(const std::string& label) {
    for (Row& r : rows_) {
      if (r.label == label) return r;
    }
    Row r;
    r.label = label;
    rows_.push_back(std::move(r));
    return rows_.back();
  }

  // Measures one child run and the peer's share.
  void measured(const std::string& label, const std::vector<std::string>& argv,
                double records_expected) {
    peer_.control("DELETE", "counters");
    double peer_before = peer_.cpu_s();
    fs::path out = work_ / "run.out";
    fs::path err = work_ / "run.err";
    Usage u = run(argv, env(), out, err);
    double peer_after = peer_.cpu_s();
    if (u.exit_code != 0) {
      std::ifstream e(err);
      std::string text((std::istreambuf_iterator<char>(e)), {});
      die(label + " exited " + std::to_string(u.exit_code) + ": " + text.substr(0, 2000));
    }
    json::value c = peer_.control("GET", "counters");
    Row& r = row(label);
    r.wall.push_back(u.wall_s);
    r.cpu.push_back(u.cpu_s);
    r.rss.push_back(u.peak_rss_mib);
    r.peer_cpu.push_back(peer_after - peer_before);
    r.requests = static_cast<double>(c.at("total").at("requests").as_int64());
    const json::value* b = c.at("total").as_object().if_contains("response_body_bytes");
    r.bytes = b ? static_cast<double>(b->as_int64()) : 0;
    r.records = records_expected;
    std::fprintf(stderr, "  %-42s %7.2f s wall %7.2f s CPU %7.1f MiB  peer %6.2f s CPU\n",
                 label.c_str(), u.wall_s, u.cpu_s, u.peak_rss_mib, peer_after - peer_before);
  }

  // The connector's command line, behind SF_RACE_WRAP when set (e.g. "valgrind
  // --tool=callgrind --callgrind-out-file=/tmp/cg.%p": how tests/bench/README.md profiles it).
  static std::vector<std::string> connector(std::vector<std::string> argv) {
    const char* wrap = std::getenv("SF_RACE_WRAP");
    if (wrap == nullptr || *wrap == '\0') return argv;
    std::vector<std::string> out;
    std::istringstream words(wrap);
    for (std::string w; words >> w;) out.push_back(w);
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  void connector_full(const std::string& label, long bulk_threshold) {
    fs::remove_all(work_ / "full");
    fs::path cfg = host_config("full", bulk_threshold);
    Usage a = run({CHP_HOST_BIN, "authorize", "sf", "-c", cfg.string()}, env(), work_ / "auth.out",
                  work_ / "auth.err");
    if (a.exit_code != 0) die("authorize failed; see " + (work_ / "auth.err").string());
    measured(label, connector({CHP_HOST_BIN, "sync", "sf", "-c", cfg.string()}),
             static_cast<double>(o_.records + 2));
    last_full_ = cfg;
  }
  void connector_incremental(const std::string& label) {
    measured(label, connector({CHP_HOST_BIN, "sync", "sf", "-c", last_full_.string()}),
             static_cast<double>(std::max<long>(1, o_.records / 100)));
  }
  void jsforce(const std::string& label, const std::string& mode, const std::string& soql) {
    std::string t = token();
    measured(label,
             {"node", std::string(SF_RACE_JS), peer_.url(), t, kApiVersion, mode, soql,
              (work_ / "jsforce.jsonl").string()},
             0);
    // Records as jsforce wrote them.
    std::ifstream f(work_ / "jsforce.jsonl");
    double lines = static_cast<double>(
        std::count(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>(), '\n'));
    row(label).records = lines;
  }

  void report() {
    std::ostringstream md;
    md << "| run (" << o_.records << " Accounts × 20 fields, median of " << o_.runs
       << ") | records | wall s | CPU s | peak RSS MiB | API requests | bytes on the wire | "
          "records/s | peer CPU s |\n|---|---|---|---|---|---|---|---|---|\n";
    for (const Row& r : rows_) {
      double wall = median(r.wall);
      md << "| " << r.label << " | " << fmt("%.0f", r.records) << " | " << fmt("%.2f", wall)
         << " | " << fmt("%.2f", median(r.cpu)) << " | " << fmt("%.1f", median(r.rss)) << " | "
         << fmt("%.0f", r.requests) << " | " << fmt("%.0f", r.bytes) << " | "
         << fmt("%.0f", wall > 0 ? r.records / wall : 0) << " | " << fmt("%.2f", median(r.peer_cpu))
         << " |\n";
    }
    auto ratio = [&](const std::string& a, const std::string& b) {
      const Row* x = nullptr;
      const Row* y = nullptr;
      for (const Row& r : rows_) {
        if (r.label == a) x = &r;
        if (r.label == b) y = &r;
      }
      if (!x || !y) return;
      md << "| " << a << " / " << b << " | " << fmt("%.2f×", median(x->wall) / median(y->wall))
         << " | " << fmt("%.2f×", median(x->cpu) / median(y->cpu)) << " | "
         << fmt("%.2f×", median(x->rss) / median(y->rss)) << " | "
         << fmt("%.2f×", x->requests / std::max(1.0, y->requests)) << " | "
         << fmt("%.2f×", x->bytes / std::max(1.0, y->bytes)) << " |\n";
    };
    md << "\n| ratio | wall | CPU | peak RSS | API requests | bytes |\n|---|---|---|---|---|---|\n";
    ratio("connector, full, REST", "jsforce, full, REST (autoFetch)");
    ratio("connector, full, Bulk API 2.0", "jsforce, full, Bulk API 2.0");
    ratio("connector, incremental (1% changed)", "jsforce, incremental (1% changed)");
    ratio("connector, full, Bulk API 2.0", "connector, full, REST");
    std::printf("%s", md.str().c_str());
    if (!o_.out.empty()) std::ofstream(o_.out) << md.str();
  }

  Options o_;
  Peer peer_;
  fs::path work_;
  fs::path last_full_;
  std::vector<Row> rows_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--records") {
      o.records = std::stol(next());
    } else if (a == "--runs") {
      o.runs = std::stoi(next());
    } else if (a == "--out") {
      o.out = next();
    } else if (a == "--no-jsforce") {
      o.jsforce = false;
    } else if (a == "--jsforce-dir") {
      o.jsforce_dir = next();
    } else {
      die("unknown argument " + a +
          " (--records N --runs K --out FILE --no-jsforce --jsforce-dir DIR)");
    }
  }
  if (o.records < 100 || o.runs < 1) die("--records >= 100, --runs >= 1");
  if (o.jsforce) {
    if (!fs::exists(fs::path(o.jsforce_dir) / "node_modules" / "jsforce")) {
      std::fprintf(stderr,
                   "bench_sf_race: jsforce is not installed in %s (scripts/bench installs it): "
                   "connector rows only\n",
                   o.jsforce_dir.c_str());
      o.jsforce = false;
    }
  }
  if (o.jsforce) {
    std::string path = fs::path(o.jsforce_dir).string() + "/node_modules";
    setenv("NODE_PATH", path.c_str(), 1);
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  Race(o).go();
  curl_global_cleanup();
  return 0;
}
