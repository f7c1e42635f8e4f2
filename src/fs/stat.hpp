// statx into metadata::fields, for paths and descriptors (shared by
// metadata.cpp, file.cpp and read_dir.cpp). Blocking: jobs only.
#pragma once

#include <filesystem>

#include "kyoto/fs/metadata.hpp"

namespace kyoto::fs::detail {

/// statx of dirfd/path; errno on failure (0 on success).
int stat_at(int dirfd, const char* path, int flags, metadata::fields& out) noexcept;

io::result<file_metadata> stat_path(const std::filesystem::path& p, bool follow);
io::result<file_metadata> stat_fd(int fd);

}  // namespace kyoto::fs::detail
