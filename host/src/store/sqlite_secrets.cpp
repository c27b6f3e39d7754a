// SqliteStateStore secrets: sealed at rest, compare-and-swap writes, key check and rotation.
#include "chost/store/identifiers.hpp"
#include "secret_box.hpp"
#include "sqlite_state_store.hpp"

namespace chost::store {

namespace {

constexpr const char* kKeyCheckName = "secret_key_check";

// Binds a sealed value to its location: a row copied under another name does not decrypt.
std::string secret_aad(std::string_view ns, std::string_view name) {
  std::string aad(ns);
  aad += '\0';  // namespaces cannot contain NUL, so the split is unambiguous
  aad.append(name);
  return aad;
}

Error no_key_error() {
  return Error::config("no master key is configured, so secrets are unavailable");
}

Result<int64_t> count_secrets(Db& db) {
  auto st = db.prepare("SELECT COUNT(*) FROM secrets");
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  return *row ? (*st)->int64(0) : 0;
}

Status write_key_check(Db& db, const MasterKey& key) {
  auto st = db.prepare(
      "INSERT INTO store_meta (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!st) return st.error();
  std::string check = make_key_check(key);
  (*st)->bind(1, kKeyCheckName).bind_blob(2, check.data(), check.size());
  return (*st)->run();
}

}  // namespace

Status check_master_key(StoreCore& core) {
  auto db = core.acquire();
  if (!db) return db.error();
  auto txn = DbTxn::begin(**db);
  if (!txn) return txn.error();
  auto secrets = count_secrets(**db);
  if (!secrets) return secrets.error();
  if (!core.key) {
    if (*secrets > 0) {
      return Error::config(core.error_prefix() + "the state holds " + std::to_string(*secrets) +
                           " encrypted secret(s) but no master key was given");
    }
    return {};
  }
  auto st = (*db)->prepare("SELECT value FROM store_meta WHERE key = ?1");
  if (!st) return st.error();
  (*st)->bind(1, kKeyCheckName);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (*row && key_check_matches(*core.key, (*st)->blob(0))) return {};
  // A different key only matters when something was encrypted with the old one; with no
  // secrets stored, the new key simply takes over.
  if (*row && *secrets > 0) {
    return Error::config(core.error_prefix() +
                         "master key does not match the one the state was encrypted with");
  }
  (*st)->reset();  // ends the read before writing the new check value
  if (Status s = write_key_check(**db, *core.key); !s) return s;
  return txn->commit();
}

Result<std::optional<SecretValue>> SqliteStateStore::secret_get(std::string_view ns,
                                                                std::string_view name) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  std::shared_lock key_lock(core_->key_mu);
  if (!core_->key) return no_key_error();
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare("SELECT version, sealed FROM secrets WHERE ns = ?1 AND name = ?2");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, name);
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<SecretValue>();
  auto plain = open_secret(*core_->key, secret_aad(ns, name), (*st)->blob(1));
  if (!plain) {
    return Error::permanent("secret '" + std::string(name) + "' of namespace '" + std::string(ns) +
                            "': " + plain.error().message);
  }
  return std::optional<SecretValue>(
      SecretValue(std::move(*plain), static_cast<uint64_t>((*st)->int64(0))));
}

Result<uint64_t> SqliteStateStore::secret_put(std::string_view ns, std::string_view name,
                                              std::string_view value, uint64_t expected_version) {
  if (Status s = validate_identifier("namespace", ns); !s) return s.error();
  if (name.empty()) return Error::config("secret name must not be empty");
  std::shared_lock key_lock(core_->key_mu);
  if (!core_->key) return no_key_error();
  auto db = core_->acquire();
  if (!db) return db.error();
  auto txn = DbTxn::begin(**db);
  if (!txn) return txn.error();

  uint64_t current = 0;
  {
    auto st = (*db)->prepare("SELECT version FROM secrets WHERE ns = ?1 AND name = ?2");
    if (!st) return st.error();
    (*st)->bind(1, ns).bind(2, name);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (*row) current = static_cast<uint64_t>((*st)->int64(0));
  }
  if (current != expected_version) {
    return Error::conflict("secret '" + std::string(name) + "' of namespace '" + std::string(ns) +
                           "' is at version " + std::to_string(current) + ", expected " +
                           std::to_string(expected_version));
  }
  const uint64_t next = current + 1;
  std::string sealed = seal_secret(*core_->key, secret_aad(ns, name), value);
  auto st = (*db)->prepare(
      "INSERT INTO secrets (ns, name, version, sealed, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (ns, name) DO UPDATE SET version = excluded.version, "
      "sealed = excluded.sealed, updated_at_ms = excluded.updated_at_ms");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, name).bind(3, static_cast<int64_t>(next));
  (*st)->bind_blob(4, sealed.data(), sealed.size()).bind(5, core_->now_ms());
  if (Status s = (*st)->run(); !s) return s.error();
  if (Status s = txn->commit(); !s) return s.error();
  return next;
}

Status SqliteStateStore::secret_delete(std::string_view ns, std::string_view name) {
  if (Status s = validate_identifier("namespace", ns); !s) return s;
  std::shared_lock key_lock(core_->key_mu);
  auto db = core_->acquire();
  if (!db) return db.error();
  auto st = (*db)->prepare("DELETE FROM secrets WHERE ns = ?1 AND name = ?2");
  if (!st) return st.error();
  (*st)->bind(1, ns).bind(2, name);
  return (*st)->run();
}

Status SqliteStateStore::rotate_key(MasterKey new_key) {
  std::unique_lock key_lock(core_->key_mu);
  if (!core_->key) return Error::config("cannot rotate the master key: no current key is set");
  auto db = core_->acquire();
  if (!db) return db.error();
  auto txn = DbTxn::begin(**db);
  if (!txn) return txn.error();

  struct Row {
    std::string ns, name, sealed;
  };
  std::vector<Row> rows;
  {
    auto st = (*db)->prepare("SELECT ns, name, sealed FROM secrets");
    if (!st) return st.error();
    for (;;) {
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) break;
      rows.push_back({(*st)->text(0), (*st)->text(1), (*st)->blob(2)});
    }
  }
  auto update = (*db)->prepare("UPDATE secrets SET sealed = ?3 WHERE ns = ?1 AND name = ?2");
  if (!update) return update.error();
  for (const Row& r : rows) {
    const std::string aad = secret_aad(r.ns, r.name);
    auto plain = open_secret(*core_->key, aad, r.sealed);
    if (!plain) {
      return Error::permanent("cannot rotate the master key: secret '" + r.name +
                              "' of namespace '" + r.ns + "': " + plain.error().message);
    }
    std::string resealed = seal_secret(new_key, aad, *plain);
    wipe(*plain);
    auto& st = *update;
    st->bind(1, r.ns).bind(2, r.name).bind_blob(3, resealed.data(), resealed.size());
    Status s = st->run();
    st->reset();
    if (!s) return s;
  }
  if (Status s = write_key_check(**db, new_key); !s) return s;
  if (Status s = txn->commit(); !s) return s;
  core_->key = std::move(new_key);
  return {};
}

}  // namespace chost::store
