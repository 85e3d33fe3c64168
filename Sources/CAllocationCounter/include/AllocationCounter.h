#ifndef MIXDOWN_ALLOCATION_COUNTER_H
#define MIXDOWN_ALLOCATION_COUNTER_H

/// Counts heap allocations made by the calling thread between begin and end. Linked into the
/// test executable, this target's malloc family interposes glibc's for the whole process
/// (the executable's symbols come first) and forwards to glibc's own entry points.
void mixdown_allocation_counting_begin(void);
long mixdown_allocation_counting_end(void);

#endif
