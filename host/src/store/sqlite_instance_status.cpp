// SqliteStateStore instance status: what the last sync of each connector instance reported
// (outcome, error, times, the plugin's summary), one row per instance.
#include <boost/json/parse.hpp>

#include "chost/store/identifiers.hpp"
#include "sqlite_state_store.hpp"

namespace chost::store {

namespace {

constexpr const char* kStatusColumns =
    "name, last_outcome, last_error_class, last_error, last_sync_at_ms, last_success_at_ms, "
    "last_summary_json, next_run_at_ms, status_line, updated_at_ms";

InstanceStatusRecord read_status(const Stmt& st) {
  InstanceStatusRecord r;
  r.name = st.text(0);
  r.last_outcome = st.text(1);
  r.last_error_class = st.text(2);
  r.last_error = st.text(3);
  r.last_sync_at_ms = st.int64(4);
  r.last_success_at_ms = st.int64(5);
  r.last_summary_json = st.text(6);
  r.next_run_at_ms = st.int64(7);
  r.status_line = st.text(8);
  r.updated_at_ms = st.int64(9);
  return r;
}

// The summary comes from a plugin: check it here so that a bad one is reported with its reason
// instead of as a bare CHECK constraint failure (the column's CHECK stays as a second defence).
Status check_summary(const InstanceStatusRecord& record) {
  boost::system::error_code ec;
  boost::json::parse(record.last_summary_json, ec);
  if (!ec) return {};
  return Error::permanent("status summary of instance '" + record.name +
                          "' is not valid JSON: " + ec.message());
}

}  // namespace

Status SqliteStateStore::put_instance_status(const InstanceStatusRecord& record) {
  if (Status s = validate_identifier("instance name", record.name); !s) return s;
  if (!is_valid_sync_outcome(record.last_outcome)) {
    return Error::config("invalid sync outcome '" + record.last_outcome + "'");
  }
  if (Status s = check_summary(record); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("INSERT OR REPLACE INTO instance_status (") +
                           kStatusColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!st) return st.error();
  (*st)->bind(1, record.name).bind(2, record.last_outcome).bind(3, record.last_error_class);
  (*st)->bind(4, record.last_error).bind(5, record.last_sync_at_ms);
  (*st)->bind(6, record.last_success_at_ms).bind(7, record.last_summary_json);
  (*st)->bind(8, record.next_run_at_ms).bind(9, record.status_line);
  (*st)->bind(10, record.updated_at_ms);
  return (*st)->run();
}

Result<std::optional<InstanceStatusRecord>> SqliteStateStore::get_instance_status(
    std::string_view name) {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("SELECT ") + kStatusColumns +
                           " FROM instance_status WHERE name = ?1");
  if (!st) return st.error();
  (*st)->bind(1, name);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<InstanceStatusRecord>();
  return std::optional<InstanceStatusRecord>(read_status(**st));
}

Result<std::vector<InstanceStatusRecord>> SqliteStateStore::list_instance_statuses() {
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare(std::string("SELECT ") + kStatusColumns +
                           " FROM instance_status ORDER BY name");
  if (!st) return st.error();
  return collect_rows<InstanceStatusRecord>(**st, read_status);
}

Status SqliteStateStore::delete_instance_status(std::string_view name) {
  if (Status s = validate_identifier("instance name", name); !s) return s;
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare("DELETE FROM instance_status WHERE name = ?1");
  if (!st) return st.error();
  (*st)->bind(1, name);
  return (*st)->run();
}

}  // namespace chost::store
