// Files and directories: whole-file reads and writes, path operations,
// metadata, read_dir and fs::file, all on the blocking pool (Tokio's tokio::fs).
#pragma once

#include "kyoto/fs/file.hpp"
#include "kyoto/fs/file_type.hpp"
#include "kyoto/fs/metadata.hpp"
#include "kyoto/fs/open_options.hpp"
#include "kyoto/fs/operations.hpp"
#include "kyoto/fs/permissions.hpp"
#include "kyoto/fs/read_dir.hpp"
#include "kyoto/fs/read_write.hpp"
