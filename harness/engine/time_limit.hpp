// `run --reproducible --time-limit-factor F`: under --reproducible a cell's max_seconds is only a
// safety limit (its hit fails the cell), so a slow machine or an emulator (qemu-x86_64 -cpu qemu64,
// tests/cli/cross_cpu.sh) may widen it without changing any result: the factor multiplies the
// limit the step loop enforces, never the cell's recorded max_seconds (part of its id and results).
#pragma once

namespace mb {

// F >= 1; 1 (the default) enforces max_seconds as written. Set once, before cells run.
void set_time_limit_factor(double factor);
double time_limit_factor();

}  // namespace mb
