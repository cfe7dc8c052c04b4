// Results are written atomically: to a temporary file in the same directory, flushed, then
// renamed over the target, so a reader never sees half a file and an interrupted run leaves
// either the old file or the new one.
#pragma once

#include <string>

namespace mb {

void write_file_atomic(const std::string& path, const std::string& contents);
// Creates the directory and its parents if missing; throws mb::Error naming `field` on failure.
void ensure_directory(const std::string& path, const std::string& field);

}  // namespace mb
