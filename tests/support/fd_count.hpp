// Counts the process's open descriptors (entries of /proc/self/fd), so
// that a test can check it leaked none. /dev/null is not counted: the
// first TCP listener reserves a spare descriptor on it for the whole
// process (the EMFILE trick, net/tcp_listener.hpp).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstddef>
#include <string>

namespace kyoto::test {

inline std::size_t open_fd_count() {
  std::size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    const int self = ::dirfd(d);
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.' || std::stoi(e->d_name) == self) continue;
      char target[64] = {};
      std::string link = std::string("/proc/self/fd/") + e->d_name;
      ssize_t len = ::readlink(link.c_str(), target, sizeof target - 1);
      if (len > 0 && std::string(target, static_cast<std::size_t>(len)) == "/dev/null") continue;
      ++n;
    }
    ::closedir(d);
  }
  return n;
}

}  // namespace kyoto::test
