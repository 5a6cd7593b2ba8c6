// Compile-time capacity of the scheduler: pipelines (and models) at once. Every table is
// static, so RAM grows with it (about 2.7 KB a pipeline). Firmware defaults to 8; the host
// build (chorus sim, tests) defines 16. Set it the same for every file of one image.
#pragma once

#ifndef CHORUS_MAX_PIPELINES
#define CHORUS_MAX_PIPELINES 8
#endif

static_assert(CHORUS_MAX_PIPELINES >= 1 && CHORUS_MAX_PIPELINES <= 32, "CHORUS_MAX_PIPELINES: 1 to 32");
