// SqliteStateStore: whole namespaces, for finding and pruning the state of connectors and
// connections that are no longer configured (a state copied from another host, a renamed
// connector).
#include <map>
#include <set>

#include "chost/store/identifiers.hpp"
#include "sqlite_state_store.hpp"

namespace chost::store {

namespace {

// What a namespace holds, per table; the host's credentials are secrets named "host:...".
constexpr struct {
  const char* holds;
  const char* sql;
} kUsageQueries[] = {
    {"connection", "SELECT name FROM connections"},
    {"credentials", "SELECT DISTINCT ns FROM secrets WHERE name LIKE 'host:%'"},
    {"secrets", "SELECT DISTINCT ns FROM secrets WHERE name NOT LIKE 'host:%'"},
    {"history", "SELECT DISTINCT name FROM connection_history"},
    {"status", "SELECT name FROM instance_status"},
    {"state", "SELECT DISTINCT ns FROM kv"},
    {"subjects", "SELECT DISTINCT ns FROM subjects"},
    {"outbox", "SELECT DISTINCT ns FROM outbox"},
    {"mirrors", "SELECT DISTINCT ns FROM store_mirrors"},
};

}  // namespace

Result<std::vector<StateStore::NamespaceUsage>> SqliteStateStore::list_namespaces() {
  auto db = core_->acquire();
  if (!db) return db.error();
  std::map<std::string, std::vector<std::string>> by_name;
  for (const auto& q : kUsageQueries) {
    auto st = (*db)->prepare(q.sql);
    if (!st) return st.error();
    for (;;) {
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) break;
      by_name[(*st)->text(0)].push_back(q.holds);
    }
  }
  std::vector<NamespaceUsage> out;
  for (auto& [name, holds] : by_name) out.push_back({name, std::move(holds)});
  return out;
}

Status SqliteStateStore::delete_namespace(std::string_view name) {
  if (Status s = validate_identifier("namespace", name); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto txn = DbTxn::begin(**db);
  if (!txn) return txn.error();
  std::vector<std::string> tables;
  {
    auto st = (*db)->prepare("SELECT table_name FROM store_mirrors WHERE ns = ?1");
    if (!st) return st.error();
    (*st)->bind(1, name);
    auto rows = collect_rows<std::string>(**st, [](const Stmt& s) { return s.text(0); });
    if (!rows) return rows.error();
    tables = std::move(*rows);
  }
  for (const std::string& table : tables) {
    // The typed view named after the table (kv mirror-columns/), if the plugin asked for one.
    const std::string drop_view =
        "DROP VIEW IF EXISTS " +
        quote_identifier("view_" + table.substr(std::string_view("mirror_").size()));
    if (Status s = (*db)->exec(drop_view.c_str(), "dropping a mirror view"); !s) return s;
    const std::string drop = "DROP TABLE IF EXISTS " + quote_identifier(table);
    if (Status s = (*db)->exec(drop.c_str(), "dropping a mirror table"); !s) return s;
  }
  for (const char* sql :
       {"DELETE FROM store_mirrors WHERE ns = ?1", "DELETE FROM kv WHERE ns = ?1",
        "DELETE FROM outbox WHERE ns = ?1", "DELETE FROM secrets WHERE ns = ?1",
        "DELETE FROM subjects WHERE ns = ?1", "DELETE FROM connections WHERE name = ?1",
        "DELETE FROM connection_history WHERE name = ?1", "DELETE FROM leases WHERE name = ?1",
        "DELETE FROM instance_status WHERE name = ?1"}) {
    auto st = (*db)->prepare(sql);
    if (!st) return st.error();
    (*st)->bind(1, name);
    if (Status s = (*st)->run(); !s) return s;
  }
  if (Status s = txn->commit(); !s) return s;
  std::lock_guard lock(core_->mirrors_mu);
  for (auto it = core_->known_mirrors.begin(); it != core_->known_mirrors.end();) {
    it = it->first == name ? core_->known_mirrors.erase(it) : std::next(it);
  }
  return {};
}

}  // namespace chost::store
