#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <unordered_set>

#include "kyoto/net/socket_addr.hpp"

using kyoto::net::socket_addr;

TEST(SocketAddr, ParsesAndPrintsIpv4) {
  auto a = socket_addr::parse("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_ipv4());
  EXPECT_EQ(a->port(), 8080);
  EXPECT_TRUE(a->is_loopback());
  EXPECT_EQ(a->to_string(), "127.0.0.1:8080");
  EXPECT_EQ(a->ip_string(), "127.0.0.1");
  std::ostringstream os;
  os << *a;
  EXPECT_EQ(os.str(), "127.0.0.1:8080");
}

TEST(SocketAddr, ParsesAndPrintsIpv6) {
  auto a = socket_addr::parse("[::1]:443");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_ipv6());
  EXPECT_TRUE(a->is_loopback());
  EXPECT_EQ(a->port(), 443);
  EXPECT_EQ(a->to_string(), "[::1]:443");
  auto b = socket_addr::parse("[fe80::1%3]:80");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->scope_id(), 3u);
  EXPECT_EQ(b->to_string(), "[fe80::1%3]:80");
  EXPECT_EQ(*socket_addr::parse(b->to_string()), *b);
}

TEST(SocketAddr, RejectsMalformedInput) {
  for (const char* bad : {"",
                          ":",
                          "127.0.0.1",
                          "127.0.0.1:",
                          "127.0.0.1:65536",
                          "127.0.0.1:-1",
                          "127.0.0.1:80x",
                          "256.0.0.1:80",
                          "1.2.3:80",
                          "localhost:80",
                          "[::1]",
                          "[::1]80",
                          "::1:80",
                          "[::1:80",
                          "[]:80",
                          "[::1]:",
                          "[::1%x]:80",
                          "1.2.3.4:80:90",
                          " 1.2.3.4:80",
                          "1.2.3.4:+80",
                          "\xff\xfe:1",
                          "[::ffff:1.2.3.4]:99999"}) {
    auto r = socket_addr::parse(bad);
    EXPECT_FALSE(r) << "accepted: '" << bad << "'";
    if (!r) {
      EXPECT_EQ(r.error(), std::errc::invalid_argument);
    }
  }
  EXPECT_FALSE(socket_addr::parse(std::string(10000, '1')));
}

TEST(SocketAddr, ComparesAndHashes) {
  auto a = *socket_addr::parse("10.0.0.1:1");
  auto b = *socket_addr::parse("10.0.0.1:2");
  auto c = *socket_addr::parse("[::1]:1");
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);  // IPv4 before IPv6
  EXPECT_EQ(a, *socket_addr::parse("10.0.0.1:1"));
  std::unordered_set<socket_addr> set{a, b, c, a};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(socket_addr::v4({127, 0, 0, 1}, 9), *socket_addr::parse("127.0.0.1:9"));
}
