// Results are written atomically: to a temporary file in the same directory, flushed, then
// renamed over the target, so a reader never sees half a file and an interrupted run leaves
// either the old file or the new one.
#pragma once

#include <string>

namespace mb {

void write_file_atomic(const std::string& path, const std::string& contents);
// Creates the directory and its parents if missing; throws mb::Error naming `field` on failure
// (the path is a file, a parent cannot be created, or the directory cannot be written to).
void ensure_directory(const std::string& path, const std::string& field);
// Before any work is done for it: `path` can be written as a file (not a directory, its folder
// exists and accepts files); throws mb::Error naming `field` otherwise. Leaves nothing behind.
void require_writable_file(const std::string& path, const std::string& field);

}  // namespace mb
