package clients

// queued is how many callers wait in l's queue.
func queued(l *limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.waiters)
}
