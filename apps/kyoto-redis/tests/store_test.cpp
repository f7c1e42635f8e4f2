// The sharded keyspace: expiry on access, active expiry, multi-shard locks.
#include "store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using kyoto_redis::entry;
using kyoto_redis::store;

void put(store& db, const std::string& key, std::int64_t expires_at) {
  auto& s = db.shard_for(key);
  std::lock_guard lock(s.mu);
  auto& e = s.map[key];
  e.value = std::string("v");
  e.expires_at = expires_at;
}

std::size_t total(store& db) {
  auto locks = db.lock_all();
  std::size_t n = 0;
  for (std::size_t i = 0; i < db.shard_count(); ++i) n += db.shard_at(i).map.size();
  return n;
}

TEST(Store, ExpiredEntryIsDeletedWhenLookedUp) {
  store db(4);
  put(db, "gone", 1000);
  put(db, "kept", 5000);
  auto& s = db.shard_for("gone");
  std::lock_guard lock(s.mu);
  EXPECT_EQ(store::find(s, "gone", 2000), nullptr);
  EXPECT_EQ(s.map.count("gone"), 0u);
  auto& k = db.shard_for("kept");
  if (&k != &s) return;  // another shard: its lock is not held here
  EXPECT_NE(store::find(k, "kept", 2000), nullptr);
}

TEST(Store, ActiveExpiryDeletesUntouchedKeysAndKeepsTheRest) {
  store db(8);
  for (int i = 0; i < 5000; ++i) put(db, "e" + std::to_string(i), 1000);
  for (int i = 0; i < 500; ++i) put(db, "p" + std::to_string(i), 0);
  for (int i = 0; i < 500; ++i) put(db, "f" + std::to_string(i), 1'000'000);
  std::size_t deleted = 0;
  for (int pass = 0; pass < 1000 && deleted < 5000; ++pass) deleted += db.expire_sample(2000);
  EXPECT_EQ(deleted, 5000u);
  EXPECT_EQ(total(db), 1000u);
}

TEST(Store, LockKeysLocksEachShardOnceInOrder) {
  store db(4);
  std::string_view keys[] = {"a", "b", "a", "c", "d", "e", "f", "g", "h"};
  auto locks = db.lock_keys(keys, std::size(keys), 1);
  EXPECT_LE(locks.size(), 4u);
  for (auto& l : locks) EXPECT_TRUE(l.owns_lock());
  // The same shards locked twice would have deadlocked above; every shard
  // of a key is among the locked ones.
  for (auto k : keys) {
    auto* mu = &db.shard_for(k).mu;
    bool found = false;
    for (auto& l : locks) found = found || l.mutex() == mu;
    EXPECT_TRUE(found) << k;
  }
}

}  // namespace

namespace {

// A sparse shard (few keys, a deadline just passed) is swept whole: each
// pass must visit every bucket once, from where the last pass stopped.
TEST(Store, ActiveExpirySweepsSparseShardsCompletely) {
  store db(64);
  for (int i = 0; i < 300; ++i) put(db, "tmp:" + std::to_string(i), 1000);
  std::size_t deleted = 0;
  for (int pass = 0; pass < 50; ++pass) deleted += db.expire_sample(2000);
  EXPECT_EQ(deleted, 300u);
  EXPECT_EQ(total(db), 0u);
}

}  // namespace
