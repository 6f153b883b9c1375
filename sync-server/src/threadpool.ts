// Imported first by the relay's entry point, before anything touches the file system.
//
// Node runs file-system calls on a pool of 4 threads. The relay's journal append must not queue
// behind chunk-file writes and background fsyncs (ADR 0016), so the pool is larger unless the
// operator chose a size. Node reads this once, when the pool is first used.
process.env.UV_THREADPOOL_SIZE ??= '16';
