// Child processes: command, child, stdio, exit_status, output.
#pragma once

#include "kyoto/process/process.hpp"
